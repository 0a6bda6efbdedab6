package demo.bank;

/**
 * A bank shared by several JVMs (the root {@code demo.bank.Main.bank}: the first JVM's bank is
 * everybody's). Arguments: {@code transfer MILLIS SEED} — random transfers with audits, then a
 * final audit; {@code hang} — stops inside a transfer (to be killed there); {@code audit}.
 */
public class Main {
    static Bank bank;

    public static void main(String[] args) throws Exception {
        bank = new Bank(10, 1000);
        switch (args[0]) {
            case "transfer": {
                int n = bank.run(Long.parseLong(args[1]), Long.parseLong(args[2]));
                long sum = bank.audit();
                System.out.println("app: " + (n > 0 ? "transfers done" : "no transfers") + ", audit "
                        + (sum == bank.total ? "ok" : "FAILED " + sum) + " (" + bank.total + ")");
                break;
            }
            case "hang":
                bank.transferAndHang(0, 9, 500);
                System.out.println("app: not killed");
                break;
            default: {
                long sum = bank.audit();
                System.out.println("app: audit " + (sum == bank.total ? "ok" : "FAILED " + sum) + " (" + bank.total + ")");
            }
        }
    }
}
