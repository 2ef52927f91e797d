package dev.tiercache.benchmarks.codec;

import java.io.Serializable;
import java.math.BigDecimal;
import java.util.Objects;

/**
 * A line of a {@link PurchaseOrder}.
 *
 * @author tiercache
 */
public class OrderLine implements Serializable {

	private long id;

	private Product product = new Product();

	private int quantity;

	private BigDecimal unitPrice = BigDecimal.ZERO;

	public long getId() {
		return this.id;
	}

	public void setId(long id) {
		this.id = id;
	}

	public Product getProduct() {
		return this.product;
	}

	public void setProduct(Product product) {
		this.product = product;
	}

	public int getQuantity() {
		return this.quantity;
	}

	public void setQuantity(int quantity) {
		this.quantity = quantity;
	}

	public BigDecimal getUnitPrice() {
		return this.unitPrice;
	}

	public void setUnitPrice(BigDecimal unitPrice) {
		this.unitPrice = unitPrice;
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof OrderLine line && this.id == line.id && this.product.equals(line.product)
				&& this.quantity == line.quantity && this.unitPrice.equals(line.unitPrice);
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.id, this.quantity);
	}

}
