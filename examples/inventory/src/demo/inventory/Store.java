package demo.inventory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The store: products by SKU (sorted) and a log of sales, changed under the store's monitor. */
public class Store {
    private final Map<String, Product> products = new TreeMap<>();
    private final List<String> sales = new ArrayList<>();

    public synchronized String add(String sku, String name, double price, int stock) {
        Product p = products.get(sku);
        if (p == null) {
            products.put(sku, new Product(sku, name, price, stock));
            return "added " + sku;
        }
        p.stock += stock;
        return "restocked " + sku + " to " + p.stock;
    }

    public synchronized String buy(String who, String sku, int n) {
        Product p = products.get(sku);
        if (p == null) {
            return "no such product " + sku;
        }
        if (p.stock < n) {
            return "only " + p.stock + " of " + sku + " left";
        }
        p.stock -= n;
        sales.add(who + " bought " + n + " " + sku);
        return "sold " + n + " " + sku + ", " + p.stock + " left";
    }

    public synchronized String price(String sku, double price) {
        Product p = products.get(sku);
        if (p == null) {
            return "no such product " + sku;
        }
        p.price = price;
        return "price of " + sku + " is now " + String.format(java.util.Locale.ROOT, "%.2f", price);
    }

    public synchronized List<String> list() {
        List<String> out = new ArrayList<>();
        for (Product p : products.values()) {
            out.add(p.toString());
        }
        return out;
    }

    public synchronized List<String> sales() {
        return new ArrayList<>(sales);
    }
}
