package demo.bank;

/** A plain account: a balance changed only under its own monitor. */
public class Account {
    final int number;
    long balance;

    Account(int number, long balance) {
        this.number = number;
        this.balance = balance;
    }
}
