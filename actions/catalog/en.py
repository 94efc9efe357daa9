"""English: what the actions say, as str.format templates.

Written to be read aloud by the kiosk as well as shown: short sentences,
numbers as a speech engine says them well ("C 4", not "C004"; booking codes
one character at a time). A template that starts with a space or a comma is
the tail of a sentence the builder has already started.
"""

MESSAGES: dict[str, str] = {
    # -- sentence grammar
    "sentence.gap": " ",
    "punct.full_stop": ".",
    "list.sep": ", ",
    "list.or": " or ",
    # -- errors and nothing to do
    "hub_unavailable": "I can't reach the queue system right now. Please ask a member of staff.",
    "nothing_pending": "Of course. What would you like to do?",
    "no_ticket": "No problem, I haven't given you a ticket. Is there anything else I can help with?",
    "form_stopped": "No problem, I've left it there. Is there anything else I can help with?",
    # -- the hub's triage decisions without a reason of their own
    "decision.appointment": "A member of staff at the front desk can book, check in or cancel an appointment for you.",
    "decision.info": "A member of staff at the front desk will be happy to help with that.",
    "decision.staff": "Of course. Please wait here, a member of staff will come and help you.",
    # -- a self-service device
    "route.at": "You can do that now at {name}.",
    "route.at_location": "You can do that now at {name}, {location}.",
    # -- people ahead in the queue: at the start of a sentence, and inside one
    "ahead.none": "You are next",
    "ahead.one": "There is 1 person ahead of you",
    "ahead.many": "There are {count} people ahead of you",
    "ahead.inline.none": "you are next",
    "ahead.inline.one": "there is 1 person ahead of you",
    "ahead.inline.many": "there are {count} people ahead of you",
    # -- how long: tails of a sentence
    "eta.none": ". We will call you as soon as a counter opens.",
    "eta.minute": ", you should be called in a minute.",
    "eta.at_most": ", at most about {high} minutes.",
    "eta.range": ", about {low} to {high} minutes.",
    # -- tickets
    "ticket.issued": "Your ticket is {number} for {service}. {ahead}",
    "ticket.arrival": " We keep your place until {deadline}: when you arrive, scan your ticket's QR code at the kiosk.",
    "ticket.status.waiting": "Ticket {number}: {ahead}",
    "ticket.status.called": "Ticket {number} has been called. Please go to the counter shown on the screen.",
    "ticket.status.other": "Ticket {number} is {status}. Can I help with anything else?",
    "ticket_status.serving": "serving",
    "ticket_status.parked": "parked",
    "ticket_status.served": "served",
    "ticket_status.no_show": "no show",
    "ticket_status.abandoned": "abandoned",
    # -- the wait for one service, before a ticket is offered
    "wait.nobody_closed": "Nobody is waiting for {service}, but no counter is open for it yet.",
    "wait.nobody": "Nobody is waiting for {service} right now, so you would be next.",
    "wait.one": "1 person is waiting for {service}",
    "wait.many": "{count} people are waiting for {service}",
    "wait.closed": ", and no counter is open for it yet.",
    "wait.short": ".",
    # -- the offer
    "offer.question.kiosk": "Shall I print you a ticket?",
    "offer.question.remote": "Shall I put you in the queue?",
    "offer.or_book": "Or I can book you an appointment with an advisor.",
    "offer.no_remote_join": "You can't join this queue from the app right now: {reason}.",
    "offer.no_remote_join_plain": "You can't join this queue from the app right now.",
    "offer.book_instead": "I can book you an appointment instead.",
    "button.yes_ticket": "Yes, a ticket",
    "button.yes_queue": "Yes, join the queue",
    "button.book": "Book an appointment",
    "button.no_thanks": "No, thanks",
    # -- how busy the branch is
    "busy.none": "Nobody is waiting right now.",
    "busy.first_one": "{count} person is waiting for {service}",
    "busy.first_many": "{count} people are waiting for {service}",
    "busy.other": "{count} for {service}",
    "busy.eta_range": ", about {low} to {high} minutes",
    "busy.eta_at_most": ", at most about {high} minutes",
    "busy.sep": ", ",
    "busy.last_sep": ", and ",
    "busy.sentence": "Right now {parts}.",
    "busy.more": " {count} more services have a few people waiting.",
    "busy.rest_empty": " Nobody is waiting for the other services.",
    # -- days and times inside a sentence ({day} is when.say_date, {time} when.say_time)
    "when.on": "on {day}",
    "when.at": "{day} at {time}",
    "when.then": "then",
    # -- the booking form
    "book.ask_service": "What would you like to see an advisor about?",
    "book.bookable_only": "I can book appointments for {names}.",
    "book.no_appointment_needed": "{service} doesn't need an appointment: I can give you a ticket for it instead.",
    "book.date_not_understood": "Sorry, I didn't catch the day.",
    "book.time_not_understood": "Sorry, I didn't catch the time.",
    "book.closed.past": "{day} has already passed.",
    "book.closed.outside_horizon": "I can't book as far ahead as {day} yet.",
    "book.closed.blackout": "We don't take appointments on {day}.",
    "book.closed.closed": "The branch is closed on {day}.",
    "book.day_full": "{day} is fully booked.",
    "book.next_free_day": " The next free day is {day}.",
    "book.time_taken": "Sorry, {time} isn't free {day}.",
    "book.nothing_in_window": "There's nothing free {day} for {window}.",
    "book.change_it": "No problem, let's change it. You can choose another day too.",
    "book.ask_date": "Which day would suit you?",
    "book.ask_date_first": "Which day would suit you? The first free day is {day}.",
    "book.ask_time": "What time would suit you?",
    "book.times_for_window": "For {window} {day}",
    "book.times_for_day": "{day}",
    "book.ask_time_offer": "{lead} I have {times} free. Which time suits you?",
    "book.confirm": "Shall I book {service} {when}?",
    "book.confirm_your_appointment": "your appointment",
    "book.confirm_plain": "Shall I book it?",
    "book.confirm_move": "Shall I move your {service} appointment from {old} to {new}?",
    "button.yes": "Yes",
    "button.no_change": "No, change it",
    "book.nothing_booked": "I haven't booked anything. Say book an appointment to start again.",
    "book.booked": (
        "You're booked for {service} {when}. Your booking code is {code}. Please check in at the kiosk from {check_in}."
    ),
    "book.slot_gone": "Sorry, {time} has just been taken. Please choose another time.",
    "book.slot_gone_that_time": "That time",
    "book.refused": "Sorry, I couldn't do that: {message}.",
    "book.refused_plain": "Sorry, I couldn't do that.",
    # -- booking codes ({code} is read one character at a time)
    "code.ask": "Please tell me your booking code. It has six letters and numbers, and it's on your confirmation.",
    "code.ask_kiosk": (
        "Please tell me your booking code. It has six letters and numbers, and it's on your confirmation. "
        "You can also scan its QR code here."
    ),
    "code.format": "A booking code has six letters and numbers, like K 7 P 2 Q X.",
    "code.bad": "Sorry, that doesn't look like a booking code. {format}",
    "code.not_found": "I can't find a booking with the code {code}. Please check it and tell me again.",
    "code.unchangeable": "Booking {code} is {status}, so it can't be changed.",
    "booking_status.booked": "booked",
    "booking_status.cancelled": "cancelled",
    "booking_status.checked_in": "checked in",
    "booking_status.no_show": "no show",
    # -- reschedule
    "move.nothing_changed": "I haven't changed your appointment.",
    "move.done": "Done. Your appointment is now {when}. Your booking code stays {code}.",
    # -- cancel
    "cancel.ask": "Your {service} appointment is {when}. Shall I cancel it?",
    "cancel.ask_plain": "Shall I cancel booking {code}?",
    "button.yes_cancel": "Yes, cancel it",
    "button.no_keep": "No, keep it",
    "cancel.kept": "Okay, your appointment stays as it is.",
    "cancel.refused": "Sorry, I couldn't cancel it: {message}.",
    "cancel.refused_plain": "Sorry, I couldn't cancel it.",
    "cancel.done": "Your appointment {when} is cancelled. Is there anything else I can help with?",
    # -- check-in
    "checkin.too_early": (
        "You're a little early. Check-in for your {time} appointment opens at {opens}. "
        "Please come back to the kiosk then."
    ),
    "checkin.refused": "Sorry, I couldn't check you in: {message}. A member of staff can help.",
    "checkin.refused_plain": "Sorry, I couldn't check you in. A member of staff can help.",
    "checkin.on_time": (
        "Welcome. You're checked in for your {time} appointment. "
        "Your ticket is {number}, and an advisor will call you shortly."
    ),
}
