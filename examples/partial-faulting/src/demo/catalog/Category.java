package demo.catalog;

import java.util.ArrayList;
import java.util.List;

/** A category and its products. */
public class Category {
    final String name;
    final List<Product> products = new ArrayList<>();
    /** The category's best seller (a second path to one of its products). */
    Product featured;

    Category(String name) {
        this.name = name;
    }

    int total() {
        int t = 0;
        for (Product p : products) {
            t += p.price;
        }
        return t;
    }
}
