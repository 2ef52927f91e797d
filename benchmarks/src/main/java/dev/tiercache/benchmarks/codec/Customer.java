package dev.tiercache.benchmarks.codec;

import java.io.Serializable;
import java.util.Objects;

/**
 * The customer entity of {@link PurchaseOrder}.
 *
 * @author tiercache
 */
public class Customer implements Serializable {

	private long id;

	private String name = "";

	private String email = "";

	private Address address = new Address("", "", "", "");

	public long getId() {
		return this.id;
	}

	public void setId(long id) {
		this.id = id;
	}

	public String getName() {
		return this.name;
	}

	public void setName(String name) {
		this.name = name;
	}

	public String getEmail() {
		return this.email;
	}

	public void setEmail(String email) {
		this.email = email;
	}

	public Address getAddress() {
		return this.address;
	}

	public void setAddress(Address address) {
		this.address = address;
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof Customer customer && this.id == customer.id && this.name.equals(customer.name)
				&& this.email.equals(customer.email) && this.address.equals(customer.address);
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.id, this.name);
	}

}
