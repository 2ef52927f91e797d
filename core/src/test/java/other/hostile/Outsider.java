package other.hostile;

import java.io.Serializable;

/**
 * A plain value in a package outside every allow-list, readable by every codec, so that a
 * test can write it with a permissive codec and prove that a strict one refuses it.
 */
public class Outsider implements Serializable {

	public String name = "outsider";

}
