"""What `manage.py seed_demo` creates: five categories (one nested), fifty
products with opening stock, and the demo customer's order."""

# (slug, name, parent slug)
CATEGORIES = [
    ("electronics", "Electronics", None),
    ("audio", "Audio", "electronics"),
    ("home-kitchen", "Home & Kitchen", None),
    ("books", "Books", None),
    ("outdoor", "Outdoor", None),
]

# category slug -> (name, price)
PRODUCTS = {
    "electronics": [
        ("USB-C Charger 65W", "39.90"),
        ("27-inch 4K Monitor", "329.00"),
        ("Mechanical Keyboard, Brown Switches", "119.00"),
        ("Wireless Mouse", "29.99"),
        ("Portable SSD 1 TB", "109.00"),
        ("HDMI 2.1 Cable 2 m", "14.50"),
        ("Webcam 1080p", "59.00"),
        ("Smart Plug, 2-pack", "24.99"),
        ("Laptop Stand, Aluminium", "45.00"),
        ("Power Bank 20,000 mAh", "49.90"),
    ],
    "audio": [
        ("Noise-Cancelling Headphones", "249.00"),
        ("True Wireless Earbuds", "89.00"),
        ("Bluetooth Speaker, Waterproof", "69.90"),
        ("Studio Monitor Speakers (pair)", "199.00"),
        ("USB Condenser Microphone", "99.00"),
        ("Turntable with Built-in Preamp", "179.00"),
        ("Soundbar 2.1", "229.00"),
        ("DAC Headphone Amplifier", "129.00"),
        ("Over-Ear Studio Headphones", "149.00"),
        ("Clip-on Lavalier Microphone", "19.90"),
    ],
    "home-kitchen": [
        ("Chef's Knife 20 cm", "79.00"),
        ("Cast Iron Skillet 28 cm", "49.00"),
        ("Pour-Over Coffee Set", "34.90"),
        ("Electric Kettle 1.7 L", "39.00"),
        ("Bamboo Cutting Board", "22.50"),
        ("Stainless Steel Saucepan 2 L", "44.00"),
        ("Digital Kitchen Scale", "18.99"),
        ("Linen Tea Towels, Set of 3", "19.50"),
        ("Glass Storage Jars, Set of 4", "27.00"),
        ("Burr Coffee Grinder", "89.00"),
    ],
    "books": [
        ("The Pragmatic Programmer", "42.00"),
        ("Designing Data-Intensive Applications", "48.50"),
        ("Two Scoops of Django", "39.00"),
        ("Refactoring, 2nd Edition", "45.00"),
        ("Domain-Driven Design Distilled", "29.99"),
        ("Release It!, 2nd Edition", "41.00"),
        ("The Art of PostgreSQL", "49.00"),
        ("Clean Architecture", "33.90"),
        ("Fluent Python, 2nd Edition", "59.00"),
        ("Working Effectively with Legacy Code", "47.00"),
    ],
    "outdoor": [
        ("Trekking Poles, Carbon", "89.00"),
        ("2-Person Tent, 3-Season", "219.00"),
        ("Down Sleeping Bag -5 °C", "189.00"),
        ("Insulated Water Bottle 750 ml", "27.90"),
        ("Headlamp 400 lm", "34.00"),
        ("Daypack 25 L", "79.90"),
        ("Camping Stove, Gas", "44.50"),
        ("Merino Wool Socks, 2-pack", "24.00"),
        ("Folding Camp Chair", "39.00"),
        ("First Aid Kit, Hiking", "29.00"),
    ],
}

# The seed owns these skus, DEMO-<first 3 letters of the category>-<number>.
SKU_PREFIX = "DEMO"
STOCK_QUANTITY = 25
# One receipt under this reference per product, so a second run receives nothing.
STOCK_REFERENCE = "demo opening stock"
ORDER_ADDRESS = {
    "name": "Demo Customer",
    "line1": "1 Demo Street",
    "city": "Berlin",
    "postal_code": "10115",
    "country": "DE",
}
