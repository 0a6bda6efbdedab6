package demo.app;

/** A plain application class: no cluster API. */
public class Account {
    protected final String owner;
    protected long balance;

    public Account(String owner, long balance) {
        this.owner = owner;
        this.balance = balance;
    }

    public synchronized void deposit(long amount) {
        balance += amount;
    }

    @Override
    public String toString() {
        return owner + "=" + balance;
    }
}
