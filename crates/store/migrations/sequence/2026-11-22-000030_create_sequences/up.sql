-- Two bigint sequences that cycle: forward 1 ..= 2^63-1, reverse 2^63-1 down to 1.
-- NO CACHE beyond 1: a cached block would be lost (a gap) by every connection that closes.
CREATE SEQUENCE forward_sequence AS BIGINT
    INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CYCLE;
CREATE SEQUENCE reverse_sequence AS BIGINT
    INCREMENT BY -1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 9223372036854775807 CYCLE;
