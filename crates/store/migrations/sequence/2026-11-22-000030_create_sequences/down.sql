DROP SEQUENCE reverse_sequence; DROP SEQUENCE forward_sequence;
