package other.hostile;

import java.io.Serializable;

/**
 * A serializable superclass outside every allow-list: a reader checks the descriptor of
 * every class in a hierarchy, so a subclass in an allowed package does not make it
 * readable.
 */
public class SerializableBase implements Serializable {

}
