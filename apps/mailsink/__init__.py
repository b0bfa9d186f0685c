"""The development mail sink that `make run` starts when no SMTP server is configured: an SMTP server
on 127.0.0.1 (aiosmtpd) that delivers nothing and keeps every mail as an .eml file under var/mail/."""
