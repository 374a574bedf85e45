-- The scheduler tick a sample answers, so a job delivered twice records one sample, and the
-- last tick each scheduled job (update, trim) was dispatched for, so replicas never dispatch
-- one tick twice.
ALTER TABLE rate_samples ADD COLUMN tick_at TIMESTAMPTZ;
CREATE UNIQUE INDEX rate_samples_pair_tick ON rate_samples (base, quote, tick_at);

CREATE TABLE scheduler_ticks (
    job           TEXT        PRIMARY KEY,
    last_tick_at  TIMESTAMPTZ NOT NULL,
    dispatched_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
