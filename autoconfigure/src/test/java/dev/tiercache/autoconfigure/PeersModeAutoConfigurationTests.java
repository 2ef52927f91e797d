package dev.tiercache.autoconfigure;

import java.time.Duration;
import java.util.List;

import dev.tiercache.TierCacheManager;
import dev.tiercache.remote.ClusterView;
import dev.tiercache.remote.peers.PeersCluster;
import dev.tiercache.remote.peers.PeersRemoteTier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.boot.autoconfigure.AutoConfigurationPackage;
import org.springframework.boot.autoconfigure.AutoConfigurationPackages;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Peers mode through Spring Boot: application contexts in one JVM that find each other on
 * loopback with {@code tiercache.cluster.*}.
 */
@ExtendWith(OutputCaptureExtension.class)
class PeersModeAutoConfigurationTests {

	private final ApplicationContextRunner unnamed = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(TierCacheAutoConfiguration.class, CacheAutoConfiguration.class))
		.withUserConfiguration(TestBooks.Configuration.class)
		.withPropertyValues("tiercache.mode=peers", "tiercache.cache-names=books,titles");

	private final ApplicationContextRunner contextRunner = this.unnamed
		.withPropertyValues("spring.application.name=peers-tests");

	/**
	 * Nodes of one cluster, each with a name of its own, probing the same ports.
	 */
	private static final class Cluster {

		private final String name;

		private final int port = PeersCluster.freePortRange(6);

		private Cluster(String name) {
			this.name = name;
		}

		ApplicationContextRunner node(ApplicationContextRunner runner, int index) {
			return runner.withPropertyValues("spring.application.name=" + this.name,
					"tiercache.node-name=node-" + index, "tiercache.cluster.port=" + this.port,
					"tiercache.cluster.port-range=4");
		}

	}

	private static void awaitMembers(int size, ApplicationContext... contexts) {
		await().atMost(Duration.ofSeconds(30))
			.until(() -> List.of(contexts)
				.stream()
				.allMatch((context) -> context.getBean(ClusterView.class).members().size() == size));
	}

	@Test
	void peersModeJoinsTheApplicationsClusterUnderItsOwnName() {
		Cluster cluster = new Cluster("books-app");
		cluster.node(this.contextRunner, 1).run((context) -> {
			TierCacheManager manager = context.getBean(TierCacheManager.class);
			assertThat(manager.getRemoteTier()).isInstanceOf(PeersRemoteTier.class);
			ClusterView view = context.getBean(ClusterView.class);
			assertThat(view.mode()).isEqualTo("peers");
			assertThat(view.localMember()).isEqualTo("node-1");
			assertThat(view.details()).containsEntry("cluster", "books-app");
			assertThat(view.members()).hasSize(1);
		});
	}

	@Test
	void twoApplicationsShareTheirEntries() {
		Cluster cluster = new Cluster("share");
		cluster.node(this.contextRunner, 1).run((first) -> cluster.node(this.contextRunner, 2).run((second) -> {
			awaitMembers(2, first, second);
			TestBooks one = first.getBean(TestBooks.class);
			TestBooks two = second.getBean(TestBooks.class);
			for (long id = 1; id <= 50; id++) {
				one.find(id);
			}
			for (long id = 1; id <= 50; id++) {
				assertThat(two.find(id)).isEqualTo("book-" + id);
			}
			assertThat(one.loads()).isEqualTo(50);
			assertThat(two.loads()).as("loads on the second node").isZero();
		}));
	}

	@Test
	void threeApplicationsOfSixteenThreadsLoadEachMissingKeyOnce() {
		Cluster cluster = new Cluster("stampede");
		cluster.node(this.contextRunner, 1)
			.run((first) -> cluster.node(this.contextRunner, 2)
				.run((second) -> cluster.node(this.contextRunner, 3).run((third) -> {
					awaitMembers(3, first, second, third);
					assertThat(TestBooks.stampede(List.of(first, second, third))).isEqualTo(100);
				})));
	}

	@Test
	void evictionInOneApplicationIsNeverFollowedByAStaleReadInAnother() {
		Cluster cluster = new Cluster("stale");
		cluster.node(this.contextRunner, 1).run((first) -> cluster.node(this.contextRunner, 2).run((second) -> {
			awaitMembers(2, first, second);
			TestBooks.assertNoStaleReads(first, second);
			TestBooks.assertNoStaleReads(second, first);
		}));
	}

	@Test
	void readsUseTheFetchTransportUnlessItIsTurnedOff() {
		Cluster cluster = new Cluster("fetch-transport");
		cluster.node(this.contextRunner, 1)
			.run((context) -> assertThat(context.getBean(ClusterView.class).details().get("fetchTransport")).asString()
				.startsWith("/127.0.0.1:"));
		cluster.node(this.contextRunner.withPropertyValues("tiercache.cluster.fetch-transport=false"), 1)
			.run((context) -> assertThat(context.getBean(ClusterView.class).details()).containsEntry("fetchTransport",
					"off"));
	}

	@Test
	void encryptedClusterNeedsTheSameSecret() {
		Cluster cluster = new Cluster("secret");
		ApplicationContextRunner secret = this.contextRunner.withPropertyValues("tiercache.cluster.secret=s3cret");
		cluster.node(secret, 1)
			.run((first) -> cluster.node(secret, 2)
				.run((second) -> cluster
					.node(this.contextRunner.withPropertyValues("tiercache.cluster.secret=other"), 3)
					.run((intruder) -> {
						awaitMembers(2, first, second);
						Thread.sleep(3000);
						assertThat(first.getBean(ClusterView.class).members()).hasSize(2);
						assertThat(intruder.getBean(ClusterView.class).members()).hasSize(1);
					})));
	}

	@Test
	void staticDiscoveryWithoutMembersFailsAtStartUpNamingTheProperty() {
		this.contextRunner.withPropertyValues("tiercache.cluster.discovery=static")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("tiercache.cluster.members")
				.hasMessageContaining("host[port]"));
	}

	@Test
	void withoutAnApplicationNameTheClusterIsNamedAfterTheApplicationsPackage() {
		int port = PeersCluster.freePortRange(4);
		this.unnamed.withUserConfiguration(PackagedApplication.class)
			.withPropertyValues("tiercache.cluster.port=" + port, "tiercache.cluster.port-range=2")
			.run((context) -> assertThat(context.getBean(ClusterView.class).details()).containsEntry("cluster",
					"tiercache:" + PackagedApplication.class.getPackageName()));
	}

	@Test
	void withoutAnApplicationNameOrPackageStartUpFailsSayingWhatToSet() {
		this.unnamed.run((context) -> assertThat(context).hasFailed()
			.getFailure()
			.rootCause()
			.hasMessageContaining("spring.application.name")
			.hasMessageContaining("tiercache.cluster.name"));
	}

	@AutoConfigurationPackage
	static class PackagedApplication {

	}

	@Test
	void invalidPortFailsAtStartUpNamingTheProperty() {
		this.contextRunner.withPropertyValues("tiercache.cluster.port=70000")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("tiercache.cluster.port")
				.hasMessageContaining("70000"));
	}

	@Test
	void unknownDiscoveryFailsAtStartUp() {
		this.contextRunner.withPropertyValues("tiercache.cluster.discovery=gossip")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasStackTraceContaining("Failed to bind properties under 'tiercache.cluster.discovery'"));
	}

	@Test
	void kubernetesDiscoveryWithoutItsLibraryFailsAtStartUp() {
		this.contextRunner.withPropertyValues("tiercache.cluster.discovery=kubernetes")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("jgroups-kubernetes"));
	}

	@Test
	void aSingleSegmentAllowedPackageFailsAtStartUpNamingTheProperty() {
		this.contextRunner.withPropertyValues("tiercache.serialization.allowed-packages=com.example,com")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("tiercache.serialization.allowed-packages")
				.hasMessageContaining("'com'"));
	}

	@Test
	void aSingleSegmentApplicationPackageIsSkippedWithAWarning(CapturedOutput output) {
		Cluster cluster = new Cluster("top-level");
		cluster.node(this.contextRunner, 1)
			.withInitializer((context) -> AutoConfigurationPackages
				.register((BeanDefinitionRegistry) context.getBeanFactory(), "com"))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(output).contains("'com'").contains("tiercache.serialization.allowed-packages");
			});
	}

}
