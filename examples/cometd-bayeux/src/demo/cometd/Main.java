package demo.cometd;

import java.util.ArrayList;
import java.util.List;

/**
 * Two nodes of a clustered bayeux (seed 004). {@code publish N} (start it first): creates the
 * bayeux, waits for a subscriber on /chat, publishes N messages, waits for the subscriber's ack.
 * {@code subscribe NAME N}: joins the bayeux, subscribes a client, and collects N messages, each
 * delivered on the publishing node and woken here by the distributed {@code resume()}.
 */
public class Main {
    public static void main(String[] args) throws Exception {
        String node = args[0];
        CometdServlet servlet = new CometdServlet();
        boolean created = servlet.init(node);
        Bayeux bayeux = servlet.getBayeux();
        System.out.println("app: " + node + (created ? " created the bayeux" : " joined the bayeux")
                + " (transients by " + bayeux.initializedBy() + ")");
        long deadline = System.currentTimeMillis() + 60_000;
        if (args[1].equals("publish")) {
            int n = Integer.parseInt(args[2]);
            ContinuationClient c;
            while ((c = bayeux.firstSubscriber("/chat")) == null) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("no subscriber within 60 s");
                }
                Thread.sleep(50);
            }
            int clients = 0;
            for (int i = 1; i <= n; i++) {
                clients = bayeux.publish("/chat", "hello-" + i);
            }
            while (!c.acked()) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("no ack within 60 s");
                }
                Thread.sleep(50);
            }
            Thread.sleep(500); // a re-broadcast of the remote resume() would arrive meanwhile
            System.out.println("app: " + node + " published " + n + " to " + clients + " client(s); " + c.id()
                    + " loaded here by " + c.initializedBy() + "; resume() ran here " + c.resumes() + " time(s)");
        } else {
            int n = Integer.parseInt(args[3]);
            ContinuationClient c = new ContinuationClient(bayeux.newClientId(args[2]));
            bayeux.subscribe("/chat", c);
            List<String> got = new ArrayList<>();
            while (got.size() < n) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("got only " + got);
                }
                String m = c.poll();
                if (m != null) {
                    got.add(m);
                } else {
                    c.suspend(5_000);
                }
            }
            while (c.resumes() < n && System.currentTimeMillis() < deadline) {
                c.suspend(100);
            }
            c.ack();
            Thread.sleep(500);
            System.out.println("app: " + node + " got " + String.join(",", got) + "; resume() ran here "
                    + c.resumes() + " time(s)");
        }
    }
}
