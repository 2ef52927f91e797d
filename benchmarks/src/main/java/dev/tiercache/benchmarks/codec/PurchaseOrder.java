package dev.tiercache.benchmarks.codec;

import java.io.Serializable;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A JPA-style entity graph, as an application would cache the result of a repository
 * call: mutable entities with default constructors, getters and setters, an embedded
 * address, an enum, money and time values, and twenty order lines sharing five products
 * (shared references, as a persistence context gives them). It has no cycle, so the JSON
 * codec can write it too.
 *
 * @author tiercache
 */
public class PurchaseOrder implements Serializable {

	private long id;

	private Status status = Status.NEW;

	private Instant placedAt = Instant.EPOCH;

	private BigDecimal total = BigDecimal.ZERO;

	private Customer customer = new Customer();

	private List<OrderLine> lines = new ArrayList<>();

	/**
	 * Return the order the benchmark caches.
	 * @param id its id
	 * @return an order of twenty lines over five products
	 */
	public static PurchaseOrder sample(long id) {
		Customer customer = new Customer();
		customer.setId(id * 7);
		customer.setName("Ada Lovelace");
		customer.setEmail("ada@example.com");
		customer.setAddress(new Address("12 St James's Square", "London", "SW1Y 4LB", "GB"));
		List<Product> products = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			Product product = new Product();
			product.setId(100 + i);
			product.setSku("SKU-" + (1000 + i));
			product.setName("Product number " + i + " with a descriptive name");
			product.setPrice(new BigDecimal("19.99").add(BigDecimal.valueOf(i)));
			products.add(product);
		}
		PurchaseOrder order = new PurchaseOrder();
		order.setId(id);
		order.setStatus(Status.PAID);
		order.setPlacedAt(Instant.parse("2026-11-30T12:00:00Z").plusSeconds(id));
		order.setCustomer(customer);
		BigDecimal total = BigDecimal.ZERO;
		for (int i = 0; i < 20; i++) {
			OrderLine line = new OrderLine();
			line.setId(id * 100 + i);
			line.setProduct(products.get(i % products.size()));
			line.setQuantity(1 + i % 3);
			line.setUnitPrice(line.getProduct().getPrice());
			order.getLines().add(line);
			total = total.add(line.getUnitPrice().multiply(BigDecimal.valueOf(line.getQuantity())));
		}
		order.setTotal(total);
		return order;
	}

	public long getId() {
		return this.id;
	}

	public void setId(long id) {
		this.id = id;
	}

	public Status getStatus() {
		return this.status;
	}

	public void setStatus(Status status) {
		this.status = status;
	}

	public Instant getPlacedAt() {
		return this.placedAt;
	}

	public void setPlacedAt(Instant placedAt) {
		this.placedAt = placedAt;
	}

	public BigDecimal getTotal() {
		return this.total;
	}

	public void setTotal(BigDecimal total) {
		this.total = total;
	}

	public Customer getCustomer() {
		return this.customer;
	}

	public void setCustomer(Customer customer) {
		this.customer = customer;
	}

	public List<OrderLine> getLines() {
		return this.lines;
	}

	public void setLines(List<OrderLine> lines) {
		this.lines = lines;
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof PurchaseOrder order && this.id == order.id && this.status == order.status
				&& this.placedAt.equals(order.placedAt) && this.total.equals(order.total)
				&& this.customer.equals(order.customer) && this.lines.equals(order.lines);
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.id, this.status, this.placedAt, this.total);
	}

	/** An order's state. */
	public enum Status {

		/** Placed. */
		NEW,

		/** Paid. */
		PAID,

		/** Shipped. */
		SHIPPED

	}

}
