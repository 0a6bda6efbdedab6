package demo.catalog;

/** The shared catalog: categories of products. Its methods are autolocked (tc-config.xml). */
public class Catalog {
    Category[] categories;

    synchronized void fill(int nCategories, int perCategory) {
        categories = new Category[nCategories];
        for (int c = 0; c < nCategories; c++) {
            Category cat = new Category("category-" + c);
            for (int p = 0; p < perCategory; p++) {
                cat.products.add(new Product("sku-" + c + "-" + p, c * 1000 + p));
            }
            cat.featured = cat.products.get(perCategory / 2);
            categories[c] = cat;
        }
    }

    synchronized void reprice(int category, int product, int price) {
        categories[category].products.get(product).price = price;
    }
}
