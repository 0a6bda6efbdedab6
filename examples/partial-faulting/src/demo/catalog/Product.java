package demo.catalog;

/** One product: a plain object, shared because a category's list holds it. */
public class Product {
    final String sku;
    int price;

    Product(String sku, int price) {
        this.sku = sku;
        this.price = price;
    }
}
