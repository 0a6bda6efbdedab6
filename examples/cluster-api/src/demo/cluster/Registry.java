package demo.cluster;

import com.tcclient.cluster.DsoNode;

/** Shared state (a static root): the last node that registered, stored as a plain DsoNode field. */
public class Registry {
    DsoNode last;
    int registrations;
}
