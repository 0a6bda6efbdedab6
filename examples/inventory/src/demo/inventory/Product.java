package demo.inventory;

/** One product line of the store. */
public class Product {
    final String sku;
    String name;
    double price;
    int stock;

    Product(String sku, String name, double price, int stock) {
        this.sku = sku;
        this.name = name;
        this.price = price;
        this.stock = stock;
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "%s %s %.2f x%d", sku, name, price, stock);
    }
}
