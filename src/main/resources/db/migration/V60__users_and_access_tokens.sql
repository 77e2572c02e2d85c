-- Server mode: the users who may pull, push and administer, and the access tokens CI uses in their place.
-- Only hashes are kept: bcrypt for passwords, SHA-256 for tokens (a 256-bit random secret needs no slow hash).

CREATE TABLE registry_users (
    name VARCHAR(64) PRIMARY KEY,
    role VARCHAR(16) NOT NULL,
    repositories VARCHAR(255) NOT NULL,
    password_hash VARCHAR(100) NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE access_tokens (
    name VARCHAR(64) PRIMARY KEY,
    token_id VARCHAR(32) NOT NULL,
    user_name VARCHAR(64) NOT NULL REFERENCES registry_users (name) ON DELETE CASCADE,
    secret_hash VARCHAR(64) NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at TIMESTAMP WITH TIME ZONE,
    last_used_at TIMESTAMP WITH TIME ZONE
);
CREATE UNIQUE INDEX access_tokens_secret_hash ON access_tokens (secret_hash);
