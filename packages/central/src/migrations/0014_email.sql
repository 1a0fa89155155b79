-- Outgoing mail, written in the sender's transaction and delivered by the email service with
-- retries. Bodies may hold single-use sign-in links: they are cleared once a mail is sent or failed.
CREATE TABLE email_outbox (
  id uuid PRIMARY KEY,
  to_address text NOT NULL,
  template text NOT NULL,
  subject text NOT NULL,
  text_body text,
  html_body text,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at timestamptz NOT NULL,
  last_error text,
  created_at timestamptz NOT NULL,
  sent_at timestamptz,
  CHECK (status = 'queued' OR (text_body IS NULL AND html_body IS NULL))
);
CREATE INDEX email_outbox_due_idx ON email_outbox (status, next_attempt_at);
