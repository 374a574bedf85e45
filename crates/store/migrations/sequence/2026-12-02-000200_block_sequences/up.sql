-- Block mode (SEQUENCE_BLOCK_SIZE > 1, SPEC §6): one nextval of a block sequence reserves one
-- block of numbers for one replica. Block k of direction d covers the positions
-- first_position + k * block_size .. + block_size - 1, taken modulo 2^63-1 (so a block can
-- straddle the wrap); position p is the number p + 1 forward and 2^63-1 - p in reverse.
CREATE SEQUENCE forward_block_sequence AS BIGINT MINVALUE 0 START WITH 0 NO CYCLE;
CREATE SEQUENCE reverse_block_sequence AS BIGINT MINVALUE 0 START WITH 0 NO CYCLE;

-- Fixed by the first block-mode replica of a database: the block size every replica must use,
-- and where block 0 starts (just past what one-number mode had handed out), so switching a
-- database to block mode repeats nothing. A row here also tells one-number replicas to stop.
CREATE TABLE block_layout (
    direction TEXT PRIMARY KEY CHECK (direction IN ('forward', 'reverse')),
    block_size BIGINT NOT NULL CHECK (block_size > 1),
    first_position BIGINT NOT NULL CHECK (first_position >= 0),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
