DROP TABLE scheduler_ticks;
DROP INDEX rate_samples_pair_tick;
ALTER TABLE rate_samples DROP COLUMN tick_at;
