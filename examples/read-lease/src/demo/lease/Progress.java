package demo.lease;

/** The writer's published round and the reader's acknowledgement (their own lock). */
public class Progress {
    int round;
    int acked;
    int rounds;
}
