-- Tracked currency pairs and the rates observed for them.
CREATE TABLE currency_pairs (
    base       VARCHAR(3)  NOT NULL CHECK (base ~ '^[A-Z]{3}$'),
    quote      VARCHAR(3)  NOT NULL CHECK (quote ~ '^[A-Z]{3}$'),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (base, quote),
    CHECK (base <> quote)
);

CREATE TABLE rate_samples (
    id          BIGSERIAL   PRIMARY KEY,
    base        VARCHAR(3)  NOT NULL,
    quote       VARCHAR(3)  NOT NULL,
    rate        NUMERIC     NOT NULL CHECK (rate > 0),
    source      TEXT        NOT NULL,
    observed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    FOREIGN KEY (base, quote) REFERENCES currency_pairs (base, quote) ON DELETE CASCADE
);
CREATE INDEX rate_samples_pair_time ON rate_samples (base, quote, observed_at);
CREATE INDEX rate_samples_time ON rate_samples (observed_at);
