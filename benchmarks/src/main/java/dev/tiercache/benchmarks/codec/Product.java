package dev.tiercache.benchmarks.codec;

import java.io.Serializable;
import java.math.BigDecimal;
import java.util.Objects;

/**
 * The product entity that {@link OrderLine}s share.
 *
 * @author tiercache
 */
public class Product implements Serializable {

	private long id;

	private String sku = "";

	private String name = "";

	private BigDecimal price = BigDecimal.ZERO;

	public long getId() {
		return this.id;
	}

	public void setId(long id) {
		this.id = id;
	}

	public String getSku() {
		return this.sku;
	}

	public void setSku(String sku) {
		this.sku = sku;
	}

	public String getName() {
		return this.name;
	}

	public void setName(String name) {
		this.name = name;
	}

	public BigDecimal getPrice() {
		return this.price;
	}

	public void setPrice(BigDecimal price) {
		this.price = price;
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof Product product && this.id == product.id && this.sku.equals(product.sku)
				&& this.name.equals(product.name) && this.price.equals(product.price);
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.id, this.sku);
	}

}
