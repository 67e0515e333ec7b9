-- Secrets the server generates for itself when the operator of the system set
-- none, shared by every instance on this database (e.g. the token signing key
-- when QINGYU_TOKEN_SECRET is unset and DATABASE_URL is used).
CREATE TABLE server_secrets (
  name       text PRIMARY KEY,
  value      text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
