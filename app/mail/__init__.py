"""E-mail mechanics, free of the database: an invitation e-mail composed from its
templates (`compose`), and the transports that send it (`transports`: SMTP, or the log
in development). What to send and when is the mailer's (`app.services.mailer`)."""
