package demo.bank;

import java.util.Random;

/**
 * A bank of plain objects: transfers lock the two accounts in number order (so JVMs never
 * deadlock), move money, and an audit locks every account (in order) and sums the balances,
 * which must always equal the bank's constant total, whatever any JVM does or dies doing.
 */
public class Bank {
    final Account[] accounts;
    final long total;

    Bank(int n, long each) {
        accounts = new Account[n];
        for (int i = 0; i < n; i++) {
            accounts[i] = new Account(i, each);
        }
        total = n * each;
    }

    /** Moves {@code amount} from account {@code from} to {@code to} (may go negative: no check). */
    void transfer(int from, int to, long amount) {
        Account a = accounts[Math.min(from, to)];
        Account b = accounts[Math.max(from, to)];
        synchronized (a) {
            synchronized (b) {
                accounts[from].balance -= amount;
                accounts[to].balance += amount;
            }
        }
    }

    /**
     * The same transfer with a pause between the debit and the credit, inside both locks: the
     * JVM is killed there by the test; the half-made transfer must never be visible.
     */
    void transferAndHang(int from, int to, long amount) throws InterruptedException {
        Account a = accounts[Math.min(from, to)];
        Account b = accounts[Math.max(from, to)];
        synchronized (a) {
            synchronized (b) {
                accounts[from].balance -= amount;
                System.out.println("app: inside a transfer");
                System.out.flush();
                Thread.sleep(60_000);
                accounts[to].balance += amount;
            }
        }
    }

    /** The sum of every balance, read with every account locked (nested, in number order). */
    long audit() {
        return audit(0);
    }

    private long audit(int i) {
        if (i == accounts.length) {
            return 0;
        }
        synchronized (accounts[i]) {
            return accounts[i].balance + audit(i + 1);
        }
    }

    /** Random transfers for {@code millis}, auditing every 50; the first failed audit is thrown. */
    int run(long millis, long seed) {
        Random r = new Random(seed);
        long end = System.currentTimeMillis() + millis;
        int n = 0;
        while (System.currentTimeMillis() < end) {
            int from = r.nextInt(accounts.length);
            int to = r.nextInt(accounts.length - 1);
            if (to >= from) {
                to++;
            }
            transfer(from, to, 1 + r.nextInt(100));
            if (++n % 50 == 0) {
                long sum = audit();
                if (sum != total) {
                    throw new IllegalStateException("audit: " + sum + " != " + total + " after " + n + " transfers");
                }
            }
        }
        return n;
    }
}
