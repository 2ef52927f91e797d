package other.hostile;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Stands for a deserialization gadget in a package outside every allow-list: its
 * {@code readObject} must never run on a node that receives it.
 */
public class Gadget implements Serializable {

	public static final AtomicBoolean triggered = new AtomicBoolean();

	private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
		triggered.set(true);
		in.defaultReadObject();
	}

}
