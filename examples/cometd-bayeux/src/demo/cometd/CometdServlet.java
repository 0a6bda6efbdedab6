package demo.cometd;

/**
 * The servlet of seed 004, without a servlet container: its {@code _bayeux} field is the
 * cluster root, so on every JVM but the first it already holds the first JVM's bayeux when
 * {@link #init} runs (and the {@code new Bayeux()} of a racing JVM is ignored).
 */
public class CometdServlet {
    private Bayeux _bayeux;

    /** True when this JVM created the bayeux. */
    public boolean init(String node) {
        boolean created = false;
        synchronized (CometdServlet.class) {
            if (_bayeux == null) {
                _bayeux = new Bayeux();
                created = true;
            }
            synchronized (_bayeux) {
                _bayeux.initialize(node);
            }
        }
        return created && "constructor".equals(_bayeux.initializedBy());
    }

    public Bayeux getBayeux() {
        return _bayeux;
    }
}
