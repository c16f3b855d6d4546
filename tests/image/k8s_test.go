package image

import (
	"os"
	"path/filepath"
	"testing"

	"go.yaml.in/yaml/v2"

	"github.com/hetaoc/hetao/compiler"
)

// TestKubernetesExample holds conf/k8s/ to its site: the configuration
// checks, the Deployment's ports and probes are the listen's and the ops
// listen's, and the grace period covers the preStop pause and a drain
// (elapse).
func TestKubernetesExample(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("..", "..", "conf", "k8s")
	cfg, diags := compiler.Load(filepath.Join(dir, "hetao.conf"), compiler.Options{})
	if compiler.HasErrors(diags) || cfg == nil {
		t.Fatalf("conf/k8s/hetao.conf does not check: %v", diags)
	}
	if cfg.Ops == nil || cfg.ErrorLog != "" || cfg.Listens[0].Websites[0].AccessLog != "-" {
		t.Fatalf("conf/k8s/hetao.conf: ops %v, error_log %q: a container logs to its standard streams", cfg.Ops, cfg.ErrorLog)
	}
	var d struct {
		Spec struct {
			Template struct {
				Spec struct {
					Grace      int `yaml:"terminationGracePeriodSeconds"`
					Containers []struct {
						Ports []struct {
							Name string
							Port int `yaml:"containerPort"`
						}
						Readiness struct {
							HTTPGet struct{ Path, Port string } `yaml:"httpGet"`
						} `yaml:"readinessProbe"`
						Liveness struct {
							HTTPGet struct{ Path, Port string } `yaml:"httpGet"`
						} `yaml:"livenessProbe"`
						Lifecycle struct {
							PreStop struct {
								Sleep struct{ Seconds int }
							} `yaml:"preStop"`
						}
					}
				}
			}
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "deployment.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	spec := d.Spec.Template.Spec
	if len(spec.Containers) != 1 {
		t.Fatalf("%d containers", len(spec.Containers))
	}
	c := spec.Containers[0]
	ports := map[string]int{}
	for _, p := range c.Ports {
		ports[p.Name] = p.Port
	}
	if ports["http"] != cfg.Listens[0].Port || ports["ops"] != cfg.Ops.Port {
		t.Errorf("container ports %v, site listens on %d and ops on %d", ports, cfg.Listens[0].Port, cfg.Ops.Port)
	}
	if c.Readiness.HTTPGet.Path != "/readyz" || c.Readiness.HTTPGet.Port != "ops" ||
		c.Liveness.HTTPGet.Path != "/healthz" || c.Liveness.HTTPGet.Port != "ops" {
		t.Errorf("probes: readiness %+v, liveness %+v", c.Readiness, c.Liveness)
	}
	if pause := c.Lifecycle.PreStop.Sleep.Seconds; pause <= 0 || spec.Grace < pause+cfg.HTTP.Elapse {
		t.Errorf("terminationGracePeriodSeconds %d < preStop %d s + elapse %d s", spec.Grace, pause, cfg.HTTP.Elapse)
	}
}
