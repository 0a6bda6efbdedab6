package demo.app;

/** A subclass of an instrumented class: it inherits the object-id field. */
public class Savings extends Account {
    private final int rate;

    public Savings(String owner, long balance, int rate) {
        super(owner, balance);
        this.rate = rate;
    }

    @Override
    public String toString() {
        return super.toString() + "@" + rate + "%";
    }
}
