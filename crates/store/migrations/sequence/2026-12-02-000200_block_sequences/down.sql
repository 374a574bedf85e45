DROP TABLE block_layout;
DROP SEQUENCE reverse_block_sequence;
DROP SEQUENCE forward_block_sequence;
