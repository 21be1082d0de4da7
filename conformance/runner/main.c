/* SPDX-License-Identifier: BSD-3-Clause */
/* vplat-conform: run the conformance suite against the devices a PAL reaches. */
#include <fnmatch.h>
#include <getopt.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include "conformance/pal/pal.h"
#include "conformance/runner/runner.h"
#include "gitrev.h"
#include "vplat/version.h"
#include "vplat/error.h"
#include "vplat/val/val.h"
#include "vplat/val/conform.h"

extern const struct vplat_test *const vplat_test_registry[];
extern const size_t vplat_test_registry_len;

static const struct vplat_pal_entry pals[] = {
	{"loopback", "vplat's own device models in process, each on virtio-mmio and virtio-pci",
	 vplat_pal_loopback_create, vplat_pal_loopback_destroy, NULL},
	{"vhost-user", "any vhost-user back end; --pal-arg socket=PATH --pal-arg device=TYPE\n"
		       "                       (TYPE: rng, blk, net, console, gpio, can, i2c, input, vsock, sound or a number)\n"
		       "                       [--pal-arg mem=BYTES] [--pal-arg name=LABEL]",
	 vplat_pal_vhost_user_create, vplat_pal_vhost_user_destroy, NULL},
	{"linux-mmio", "inside a Linux guest (root): the hypervisor's virtio-mmio devices via /dev/mem;\n"
		       "                       [--pal-arg mmio=BASE@SIZE[,...]] [--pal-arg dma=ADDR@SIZE]",
	 vplat_pal_linux_mmio_create, vplat_pal_linux_destroy, vplat_pal_linux_skip},
	{"linux-pci", "inside a Linux guest (root): the hypervisor's virtio-pci devices via sysfs;\n"
		      "                       [--pal-arg pci=DDDD:BB:DD.F]... [--pal-arg dma=ADDR@SIZE]",
	 vplat_pal_linux_pci_create, vplat_pal_linux_destroy, vplat_pal_linux_skip},
};

/* The index next to the sources, or in the current directory, if present. */
static bool access_spec_default(const char **spec)
{
	static const char *const candidates[] = {VPLAT_SOURCE_DIR "/spec/requirements.tsv",
						 "spec/requirements.tsv"};
	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
		FILE *f = fopen(candidates[i], "r");
		if (f) {
			fclose(f);
			*spec = candidates[i];
			return true;
		}
	}
	return false;
}

static void usage(FILE *out)
{
	fputs("NAME\n"
	      "    vplat-conform - the vplat conformance suite\n\n"
	      "SYNOPSIS\n"
	      "    vplat-conform [--pal NAME] [--pal-arg KEY=VALUE]... [--device GLOB]\n"
	      "                  [--tests GLOB] [--no-exerciser] [--list] [--spec TSV]\n"
	      "                  [--tap FILE] [--junit FILE] [--json FILE] [--html FILE]\n"
	      "                  [--timeout MS] [--quiet]\n"
	      "    vplat-conform report IN.json -o OUT.html [--spec TSV]\n\n"
	      "DESCRIPTION\n"
	      "    Drives the virtio devices a platform abstraction layer (PAL) reaches with a\n"
	      "    real virtio driver and checks them requirement by requirement against the\n"
	      "    vplat specification (spec/). Every test names its requirement IDs and the\n"
	      "    virtio clause; results are PASS, FAIL (with the checkpoint, what was expected\n"
	      "    and what was seen), SKIP (with why) or ERROR (the suite could not run it).\n"
	      "    Exerciser tests act as a hostile driver and check that the device survives.\n"
	      "    On a terminal a live line shows [n/N], the test, the elapsed time and an ETA;\n"
	      "    otherwise one line per test with its index. When the device cannot be\n"
	      "    brought up for three tests in a row, the run stops (exit status 125).\n"
	      "    The HTML report leads with the verdict: the device under test, the suite\n"
	      "    version and command line, the counts and a table of the failures.\n\n"
	      "    'report' renders a JSON report (e.g. from an in-guest run) as HTML.\n\n"
	      "OPTIONS\n"
	      "    --pal NAME         how to reach devices (default loopback); see PALS\n"
	      "    --pal-arg K=V      an option for the PAL (repeatable)\n"
	      "    --device GLOB      only devices whose name matches (e.g. 'rng@*')\n"
	      "    --tests GLOB       only tests whose name matches (e.g. 'ring_*')\n"
	      "    --no-exerciser     leave out the hostile-driver tests\n"
	      "    --list             list the devices and the tests that apply, run nothing\n"
	      "    --spec TSV         requirement index for the HTML report\n"
	      "                       (default: spec/requirements.tsv if it exists)\n"
	      "    --tap FILE         write TAP 13 ('-' for standard output)\n"
	      "    --junit FILE       write JUnit XML\n"
	      "    --json FILE        write JSON\n"
	      "    --html FILE        write a self-contained HTML report\n"
	      "    --timeout MS       time budget per test (default 5000)\n"
	      "    --quiet            no progress or per-test lines; the summary stays\n"
	      "    -o, --output FILE  report: the HTML file to write ('-' for standard output)\n"
	      "    -h, --help         this text\n"
	      "        --version      print the version and exit\n\n"
	      "PALS\n",
	      out);
	for (size_t i = 0; i < sizeof(pals) / sizeof(pals[0]); i++)
		fprintf(out, "    %-18s %s\n", pals[i].name, pals[i].help);
	fputs("\nEXIT STATUS\n"
	      "    0 when no test failed; otherwise the number of FAIL and ERROR results, at most\n"
	      "    100; 125 on bad arguments, when the PAL cannot start, or when the device could\n"
	      "    not be brought up for three tests in a row.\n",
	      out);
}

static bool applies(const struct vplat_test *t, const struct vplat_pal_dev *d, bool exerciser)
{
	if (t->device_id && t->device_id != d->device_id)
		return false;
	if ((t->flags & (VPLAT_TF_MMIO | VPLAT_TF_PCI)) && d->emulated)
		return false;
	if ((t->flags & VPLAT_TF_MMIO) && d->transport != VPLAT_VAL_MMIO)
		return false;
	if ((t->flags & VPLAT_TF_PCI) && d->transport != VPLAT_VAL_PCI)
		return false;
	return exerciser || !(t->flags & VPLAT_TF_EXERCISER);
}

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Run @p test on device @p idx; @return the PAL's open() error (0 if it opened or was not
 * opened). The features of the last negotiation go into @p dut. */
static int run_one(struct vplat_pal *pal, unsigned idx, const struct vplat_test *test,
		   unsigned timeout_ms, const char *skip_why, struct vplat_t_record *rec,
		   struct vplat_report_dev *dut)
{
	struct vplat_val_dev d;
	static struct vplat_test_ctx t; /* large (queue storage): not on the stack */
	memset(&t, 0, sizeof(t));
	memset(rec, 0, sizeof(*rec));
	t.test = test;
	t.pal = pal;
	t.idx = idx;
	t.dev = &pal->devs[idx];
	t.d = &d;
	double t0 = mono();
	t.deadline_ns = (uint64_t)((t0 + timeout_ms / 1000.0) * 1e9);
	int rc = skip_why ? 0 : pal->ops->open(pal, idx, &d);
	if (skip_why) {
		vplat_t_skip(&t, "%s", skip_why);
	} else if (rc) {
		vplat_t_error(&t, "PAL could not open the device: %s", vplat_strerror(rc));
	} else {
		t.result = test->run(&t);
		if (d.device_features) {
			dut->offered = d.device_features;
			dut->negotiated = d.features;
		}
		for (unsigned k = 0; k < t.nvqs; k++)
			vplat_val_vq_fini(&t.vqs[k]);
		pal->ops->close(pal, idx, &d);
	}
	rec->test = test;
	snprintf(rec->device, sizeof(rec->device), "%s", t.dev->name);
	rec->result = t.result;
	rec->checkpoint = t.checkpoint;
	memcpy(rec->expected, t.expected, sizeof(rec->expected));
	memcpy(rec->seen, t.seen, sizeof(rec->seen));
	memcpy(rec->detail, t.detail, sizeof(rec->detail));
	rec->seconds = mono() - t0;
	return skip_why ? 0 : rc;
}

/* Progress: a live line on a terminal (refreshed every second while a test runs), else one
 * line per test. Writers hold prog.lock. */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool tty, running, quit;
	unsigned i, n;
	char what[128];
	double t_start, t_test;
} prog = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

static void fmt_secs(char *b, size_t n, double s)
{
	if (s < 60)
		snprintf(b, n, "%.0fs", s);
	else if (s < 3600)
		snprintf(b, n, "%um%02us", (unsigned)s / 60, (unsigned)s % 60);
	else
		snprintf(b, n, "%uh%02um", (unsigned)s / 3600, (unsigned)s / 60 % 60);
}

/* The live line; caller holds the lock. */
static void live_line(void)
{
	double now = mono(), el = now - prog.t_start;
	char e[16], eta[16] = "?";
	fmt_secs(e, sizeof(e), el);
	if (prog.i > 1)
		fmt_secs(eta, sizeof(eta), (prog.t_test - prog.t_start) / (prog.i - 1) *
						   (prog.n - prog.i + 1));
	fprintf(stderr, "\r[%u/%u] %s (elapsed %s, ETA %s, this test %.0fs)\033[K", prog.i, prog.n,
		prog.what, e, eta, now - prog.t_test);
	fflush(stderr);
}

static void *ticker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&prog.lock);
	while (!prog.quit) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&prog.cond, &prog.lock, &ts);
		if (prog.running && !prog.quit)
			live_line();
	}
	pthread_mutex_unlock(&prog.lock);
	return NULL;
}

static void progress_start(unsigned i, const struct vplat_test *test, const char *dev)
{
	pthread_mutex_lock(&prog.lock);
	prog.i = i;
	snprintf(prog.what, sizeof(prog.what), "%s on %s", test->name, dev);
	prog.t_test = mono();
	prog.running = true;
	if (prog.tty)
		live_line();
	pthread_mutex_unlock(&prog.lock);
}

static void progress_done(const struct vplat_t_record *rec)
{
	pthread_mutex_lock(&prog.lock);
	prog.running = false;
	if (prog.tty)
		fputs("\r\033[K", stderr);
	int w = snprintf(NULL, 0, "%u", prog.n);
	printf("[%*u/%u] %-5s %-40s %-14s %s\n", w, prog.i, prog.n, vplat_result_name(rec->result),
	       rec->test->name, rec->device, rec->result == VPLAT_PASS ? "" : rec->detail);
	fflush(stdout);
	pthread_mutex_unlock(&prog.lock);
}

static int write_report(const char *path, int (*fn)(const struct vplat_report *, FILE *),
			const struct vplat_report *r)
{
	if (!path)
		return 0;
	FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;
	if (!f) {
		fprintf(stderr, "vplat-conform: cannot write %s\n", path);
		return -1;
	}
	int rc = fn(r, f);
	if (f != stdout && fclose(f) != 0)
		rc = VPLAT_EIO;
	if (rc)
		fprintf(stderr, "vplat-conform: error writing %s\n", path);
	return rc ? -1 : 0;
}

int main(int argc, char **argv)
{
	const char *pal_name = "loopback", *dev_glob = "*", *test_glob = "*", *spec = NULL;
	const char *tap = NULL, *junit = NULL, *json = NULL, *html = NULL, *output = NULL;
	bool report_cmd = argc >= 2 && !strcmp(argv[1], "report");
	bool list = false, exerciser = true, quiet = false;
	unsigned long timeout_ms = 5000;
	char *pal_args[64];
	int npal_args = 0;
	static const struct option opts[] = {
		{"pal", required_argument, 0, 'p'},   {"pal-arg", required_argument, 0, 'a'},
		{"device", required_argument, 0, 'd'}, {"tests", required_argument, 0, 't'},
		{"no-exerciser", no_argument, 0, 'X'}, {"list", no_argument, 0, 'l'},
		{"spec", required_argument, 0, 's'},   {"tap", required_argument, 0, 'T'},
		{"junit", required_argument, 0, 'J'},  {"json", required_argument, 0, 'j'},
		{"html", required_argument, 0, 'H'},   {"timeout", required_argument, 0, 'o'},
		{"quiet", no_argument, 0, 'q'},        {"help", no_argument, 0, 'h'},
		{"version", no_argument, 0, 1000},     {"output", required_argument, 0, 'O'},
		{0, 0, 0, 0}};
	int o;
	char *end;
	if (report_cmd) {
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	while ((o = getopt_long(argc, argv, report_cmd ? "ho:" : "h", opts, NULL)) != -1) {
		switch (o) {
		case 1000: printf("vplat-conform (vplat) %s\n", vplat_version()); return 0;
		case 'p': pal_name = optarg; break;
		case 'a':
			if (npal_args == 63 || !strchr(optarg, '=')) {
				fprintf(stderr, "vplat-conform: --pal-arg wants KEY=VALUE (at most 63)\n");
				return 125;
			}
			pal_args[npal_args++] = optarg;
			break;
		case 'd': dev_glob = optarg; break;
		case 't': test_glob = optarg; break;
		case 'X': exerciser = false; break;
		case 'l': list = true; break;
		case 's': spec = optarg; break;
		case 'T': tap = optarg; break;
		case 'J': junit = optarg; break;
		case 'j': json = optarg; break;
		case 'H': html = optarg; break;
		case 'O': output = optarg; break;
		case 'q': quiet = true; break;
		case 'o':
			if (report_cmd) {
				output = optarg;
				break;
			}
			timeout_ms = strtoul(optarg, &end, 10);
			if (!*optarg || *end || timeout_ms == 0 || timeout_ms > 3600000) {
				fprintf(stderr, "vplat-conform: --timeout wants 1..3600000 ms\n");
				return 125;
			}
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 125;
		}
	}
	if (report_cmd) {
		if (optind + 1 != argc || !output) {
			fprintf(stderr, "vplat-conform: usage: vplat-conform report IN.json -o OUT.html\n");
			return 125;
		}
		if (!spec && !access_spec_default(&spec))
			spec = NULL;
		return vplat_conform_json_to_html(argv[optind], spec, output) ? 125 : 0;
	}
	if (optind < argc) {
		fprintf(stderr, "vplat-conform: unexpected argument '%s' (try --help)\n", argv[optind]);
		return 125;
	}
	if (output) {
		fprintf(stderr, "vplat-conform: --output belongs to 'vplat-conform report'\n");
		return 125;
	}
	pal_args[npal_args] = NULL;
	const struct vplat_pal_entry *pe = NULL;
	for (size_t i = 0; i < sizeof(pals) / sizeof(pals[0]); i++)
		if (!strcmp(pals[i].name, pal_name))
			pe = &pals[i];
	if (!pe) {
		fprintf(stderr, "vplat-conform: unknown PAL '%s' (try --help)\n", pal_name);
		return 125;
	}
	struct vplat_pal pal = {0};
	int rc = pe->create(&pal, npal_args, pal_args);
	if (rc) {
		fprintf(stderr, "vplat-conform: PAL %s: %s\n", pal_name, vplat_strerror(rc));
		return 125;
	}

	struct vplat_req *reqs = NULL;
	size_t nreqs = 0;
	if (!spec && !access_spec_default(&spec))
		spec = NULL;
	if (spec && (rc = vplat_req_load(spec, &reqs, &nreqs)) != 0)
		fprintf(stderr, "vplat-conform: %s: %s (HTML report without requirement text)\n",
			spec, vplat_strerror(rc));

	size_t cap = vplat_test_registry_len * pal.ndevs + 1, n = 0;
	struct vplat_t_record *recs = calloc(cap, sizeof(*recs));
	struct vplat_report_dev *duts = calloc(pal.ndevs + 1, sizeof(*duts));
	if (!recs || !duts) {
		fprintf(stderr, "vplat-conform: out of memory\n");
		return 125;
	}
	/* The run: what the devices are, how they were reached, the command line. */
	char reached[512] = "", cmdline[1024] = "";
	for (int i = 0; i < npal_args; i++)
		snprintf(reached + strlen(reached), sizeof(reached) - strlen(reached), "%s%s",
			 i ? " " : "", pal_args[i]);
	for (int i = 0; i < argc; i++)
		snprintf(cmdline + strlen(cmdline), sizeof(cmdline) - strlen(cmdline), "%s%s",
			 i ? " " : "", argv[i]);
	size_t ndut = 0;
	unsigned ntests = 0, ndev_match = 0;
	for (unsigned i = 0; i < pal.ndevs; i++) {
		if (fnmatch(dev_glob, pal.devs[i].name, 0) != 0)
			continue;
		struct vplat_report_dev *d = &duts[ndut++];
		snprintf(d->name, sizeof(d->name), "%s", pal.devs[i].name);
		d->device_id = pal.devs[i].device_id;
		snprintf(d->transport, sizeof(d->transport), "%s",
			 pal.devs[i].emulated                          ? pal_name /* e.g. vhost-user */
			 : pal.devs[i].transport == VPLAT_VAL_PCI ? "virtio-pci"
								  : "virtio-mmio");
		for (size_t k = 0; k < vplat_test_registry_len; k++)
			if (fnmatch(test_glob, vplat_test_registry[k]->name, 0) == 0 &&
			    applies(vplat_test_registry[k], &pal.devs[i], exerciser))
				ntests++;
	}
	pthread_t tick;
	bool ticking = false;
	prog.n = ntests;
	prog.t_start = mono();
	prog.tty = !quiet && !list && isatty(STDERR_FILENO);
	if (prog.tty)
		ticking = pthread_create(&tick, NULL, ticker, NULL) == 0;
	/* Early stop: the device could not be brought up (PAL open failed) this many times in a
	 * row; what was tried goes into the message. */
	enum { DOWN_LIMIT = 3 };
	unsigned down = 0;
	char tried[DOWN_LIMIT][160];
	int down_rc = 0;
	bool stopped = false;
	ndut = 0;
	for (unsigned i = 0; i < pal.ndevs && !stopped; i++) {
		if (fnmatch(dev_glob, pal.devs[i].name, 0) != 0)
			continue;
		struct vplat_report_dev *dut = &duts[ndut++];
		ndev_match++;
		if (list)
			printf("device %s (virtio ID %u)\n", pal.devs[i].name, pal.devs[i].device_id);
		for (size_t k = 0; k < vplat_test_registry_len && !stopped; k++) {
			const struct vplat_test *test = vplat_test_registry[k];
			if (fnmatch(test_glob, test->name, 0) != 0 || !applies(test, &pal.devs[i], exerciser))
				continue;
			if (list) {
				printf("  %-40s %-28s %s\n", test->name, test->reqs, test->desc);
				continue;
			}
			if (!quiet)
				progress_start((unsigned)n + 1, test, pal.devs[i].name);
			int orc = run_one(&pal, i, test, (unsigned)timeout_ms,
					  pe->skip ? pe->skip(&pal, i, test) : NULL, &recs[n], dut);
			if (!quiet)
				progress_done(&recs[n]);
			n++;
			if (!orc) {
				down = 0;
				continue;
			}
			snprintf(tried[down], sizeof(tried[down]), "opening %s for %s", pal.devs[i].name,
				 test->name);
			down_rc = orc;
			if (++down == DOWN_LIMIT)
				stopped = true;
		}
	}
	if (ticking) {
		pthread_mutex_lock(&prog.lock);
		prog.quit = true;
		pthread_cond_signal(&prog.cond);
		pthread_mutex_unlock(&prog.lock);
		pthread_join(tick, NULL);
	}
	if (stopped) {
		fprintf(stderr, "vplat-conform: stopping after %zu of %u tests: the device could not be "
				"brought up for %d tests in a row (PAL %s%s%s; last error: %s). Tried:\n",
			n, ntests, DOWN_LIMIT, pal_name, *reached ? ", " : "", reached,
			vplat_strerror(down_rc));
		for (unsigned k = 0; k < DOWN_LIMIT; k++)
			fprintf(stderr, "  %s\n", tried[k]);
		fprintf(stderr, "  Is the back end running and answering on its socket? The reports "
				"cover the tests that ran.\n");
	}
	if (ndev_match == 0)
		fprintf(stderr, "vplat-conform: no device matches '%s'\n", dev_glob);

	char started[32], host[400];
	time_t now = time(NULL);
	strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	struct utsname u;
	if (uname(&u) == 0)
		snprintf(host, sizeof(host), "%s %s %s", u.sysname, u.release, u.machine);
	else
		snprintf(host, sizeof(host), "unknown");
	struct vplat_report rep = {.pal = pal_name, .started = started, .host = host, .recs = recs,
				   .nrecs = n, .reqs = reqs, .nreqs = nreqs,
				   .version = vplat_version(), .revision = VPLAT_GIT_REVISION,
				   .cmdline = cmdline, .reached = reached, .devs = duts, .ndevs = ndut};
	size_t fails = 0, counts[4] = {0};
	for (size_t i = 0; i < n; i++) {
		counts[recs[i].result & 3]++;
		if (recs[i].result == VPLAT_FAIL || recs[i].result == VPLAT_ERROR)
			fails++;
	}
	int werr = 0;
	werr |= write_report(tap, vplat_report_tap, &rep);
	werr |= write_report(junit, vplat_report_junit, &rep);
	werr |= write_report(json, vplat_report_json, &rep);
	werr |= write_report(html, vplat_report_html, &rep);
	if (!list)
		printf("vplat-conform: %zu tests: %zu PASS, %zu FAIL, %zu SKIP, %zu ERROR\n", n,
		       counts[VPLAT_PASS], counts[VPLAT_FAIL], counts[VPLAT_SKIP], counts[VPLAT_ERROR]);
	pe->destroy(&pal);
	free(recs);
	free(duts);
	free(reqs);
	if (werr || stopped)
		return 125;
	return (int)(fails > 100 ? 100 : fails);
}
