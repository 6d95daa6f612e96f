/*
 * Testing a server's CORS with the browser's rules: a Check suite as a team
 * would put it in its own tests. It starts the server under test (here
 * cors-demo-server with the seed guide's two policies), makes the HTTP
 * requests a browser would make for a few realistic page requests, and asks
 * libcors' Fetch oracle (cors_fetch_*) what the browser does with the
 * answers. Nothing here depends on the server using libcors.
 *
 *   test-server-cors SERVER POLICY_DIR
 *
 * To adapt it: change start_server() to start your server, and the tests at
 * the end to the page requests your front end makes.
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L

#include <cors/cors.h>

#include <check.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *server_bin, *policy_dir;
static pid_t server_pid = -1;
static int server_port;

/* ------------------------------------------------------- the server under test */

static void
start_server(void)
{
    char gateway[4096], route[4200];
    snprintf(gateway, sizeof gateway, "%s/agentgatewaypolicy.yaml", policy_dir);
    snprintf(route, sizeof route, "/anything/route/=%s/httproute.yaml", policy_dir);
    int out[2];
    ck_assert_int_eq(pipe(out), 0);
    server_pid = fork();
    ck_assert_int_ne(server_pid, -1);
    if (server_pid == 0) {
        dup2(out[1], STDOUT_FILENO);
        close(out[0]);
        close(out[1]);
        execl(server_bin, server_bin, "--policy", gateway, "--route", route, "--port", "0", "--log",
              "/dev/null", (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    /* the server prints "listening http://127.0.0.1:PORT" once it accepts */
    char line[128] = "";
    size_t n = 0;
    while (n + 1 < sizeof line) {
        ssize_t r = read(out[0], line + n, 1);
        if (r <= 0 || line[n] == '\n')
            break;
        n++;
    }
    line[n] = '\0';
    close(out[0]);
    ck_assert_msg(sscanf(line, "listening http://127.0.0.1:%d", &server_port) == 1,
                  "the server did not start: '%s'", line);
}

static void
stop_server(void)
{
    if (server_pid > 0) {
        kill(server_pid, SIGTERM);
        waitpid(server_pid, NULL, 0);
        server_pid = -1;
    }
}

/* --------------------------------------------------------------- HTTP/1.1 */

struct http_response {
    char raw[65536];
    int status;
    struct cors_fetch_header headers[64];
    size_t header_count;
};

/* Sends one request (Connection: close) and parses the status and header
 * lines of the answer; the header slices point into raw. */
static void
http_request(const char *method, const char *path, const struct cors_fetch_header *hs, size_t n,
             struct http_response *resp)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)server_port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    char req[8192];
    int len = snprintf(req, sizeof req, "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n", method, path,
                       server_port);
    for (size_t i = 0; i < n; i++)
        len += snprintf(req + len, sizeof req - (size_t)len, "%.*s: %.*s\r\n", (int)hs[i].name.len,
                        hs[i].name.ptr, (int)hs[i].value.len, hs[i].value.ptr);
    len += snprintf(req + len, sizeof req - (size_t)len, "Connection: close\r\n\r\n");
    ck_assert_int_lt(len, (int)sizeof req);
    ck_assert_int_eq(write(fd, req, (size_t)len), len);
    size_t got = 0;
    ssize_t r;
    while (got + 1 < sizeof resp->raw &&
           (r = read(fd, resp->raw + got, sizeof resp->raw - 1 - got)) > 0)
        got += (size_t)r;
    close(fd);
    resp->raw[got] = '\0';
    ck_assert_msg(sscanf(resp->raw, "HTTP/1.1 %d", &resp->status) == 1, "no status line");
    resp->header_count = 0;
    char *p = strstr(resp->raw, "\r\n") + 2;
    while (p != NULL && strncmp(p, "\r\n", 2) != 0 && resp->header_count < 64) {
        char *eol = strstr(p, "\r\n"), *colon = memchr(p, ':', eol ? (size_t)(eol - p) : 0);
        if (eol == NULL || colon == NULL)
            break;
        resp->headers[resp->header_count++] = (struct cors_fetch_header){
            {p, (size_t)(colon - p)}, {colon + 1, (size_t)(eol - colon - 1)}};
        p = eol + 2;
    }
}

/* ------------------------------------------------------- a browser's fetch() */

struct outcome {
    bool ok;                       /* the script gets the response */
    const char *step;              /* "throws", "preflight", "response" or "none" */
    enum cors_fetch_reason reason; /* why not */
    bool preflighted;
    struct http_response actual;
    struct cors_fetch_request request;
};

/* What a browser does for fetch(path, {method, headers, credentials}) from a
 * page on origin: the preflight when one is needed, then the request, each
 * answer judged by the oracle. */
static void
browser_fetch(const char *origin, const char *method, const char *path,
              const struct cors_fetch_header *hs, size_t n, enum cors_fetch_credentials cred,
              struct outcome *o)
{
    static struct http_response pre;
    memset(o, 0, sizeof *o);
    o->ok = true;
    o->step = "none";
    o->request = (struct cors_fetch_request){.origin = cors_str_from_cstr(origin),
                                             .method = cors_str_from_cstr(method),
                                             .headers = hs,
                                             .header_count = n,
                                             .credentials = cred};
    char acrh[1024];
    struct cors_fetch_plan plan;
    ck_assert_int_eq(cors_fetch_plan(&o->request, acrh, sizeof acrh, &plan), CORS_OK);
    if (plan.reason != CORS_FETCH_OK) {
        o->ok = false;
        o->step = "throws";
        o->reason = plan.reason;
        return;
    }
    struct cors_fetch_verdict v;
    if (plan.preflight) {
        struct cors_fetch_header ph[3] = {
            {CORS_STR("Origin"), o->request.origin},
            {CORS_STR("Access-Control-Request-Method"), plan.method},
            {CORS_STR("Access-Control-Request-Headers"), plan.request_headers},
        };
        http_request("OPTIONS", path, ph, plan.request_headers_len ? 3 : 2, &pre);
        struct cors_fetch_response r = {pre.status, pre.headers, pre.header_count};
        ck_assert_int_eq(cors_fetch_check_preflight(&o->request, &r, &v), CORS_OK);
        o->preflighted = true;
        if (!v.ok) {
            o->ok = false;
            o->step = "preflight";
            o->reason = v.reason;
            return;
        }
    }
    struct cors_fetch_header ah[17];
    ck_assert_uint_le(n, 16);
    ah[0] = (struct cors_fetch_header){CORS_STR("Origin"), o->request.origin};
    memcpy(ah + 1, hs, n * sizeof *hs);
    char sent_method[64];
    snprintf(sent_method, sizeof sent_method, "%.*s", (int)plan.method.len, plan.method.ptr);
    http_request(sent_method, path, ah, n + 1, &o->actual);
    struct cors_fetch_response r = {o->actual.status, o->actual.headers, o->actual.header_count};
    ck_assert_int_eq(cors_fetch_check_response(&o->request, &r, &v), CORS_OK);
    if (!v.ok) {
        o->ok = false;
        o->step = "response";
        o->reason = v.reason;
    }
}

static bool
readable(struct outcome *o, const char *name)
{
    struct cors_fetch_response r = {o->actual.status, o->actual.headers, o->actual.header_count};
    return cors_fetch_header_readable(&o->request, &r, cors_str_from_cstr(name));
}

#define ASSERT_BLOCKED(o, at, why)                                                                 \
    do {                                                                                           \
        ck_assert_msg(!(o).ok, "the browser accepts it");                                          \
        ck_assert_str_eq((o).step, (at));                                                          \
        ck_assert_str_eq(cors_fetch_reason_name((o).reason), (why));                               \
    } while (0)

/* ------------------------------------------- what the team intends, as tests */

#define APP "https://example.com"

/* The front end reads the gateway header with cookies. */
START_TEST(app_reads_gateway_header_with_cookies)
{
    struct outcome o;
    browser_fetch(APP, "GET", "/response-headers?X-TrafficPolicy-Header=gw", NULL, 0,
                  CORS_FETCH_CREDENTIALS_INCLUDE, &o);
    ck_assert_msg(o.ok, "blocked at %s: %s", o.step, cors_fetch_reason_name(o.reason));
    ck_assert(!o.preflighted);
    ck_assert_int_eq(o.actual.status, 200);
    ck_assert(readable(&o, "X-TrafficPolicy-Header"));
    ck_assert(readable(&o, "Content-Type"));
}
END_TEST

/* A JSON API call with a bearer token works through the gateway policy. */
START_TEST(app_posts_json_with_token)
{
    const struct cors_fetch_header hs[] = {
        {CORS_STR("Authorization"), CORS_STR("Bearer demo")},
        {CORS_STR("Content-Type"), CORS_STR("application/json")},
    };
    struct outcome o;
    browser_fetch(APP, "POST", "/anything/api", hs, 2, CORS_FETCH_CREDENTIALS_INCLUDE, &o);
    ck_assert_msg(o.ok, "blocked at %s: %s", o.step, cors_fetch_reason_name(o.reason));
    ck_assert(o.preflighted);
}
END_TEST

/* The route-level policy allows no Content-Type: JSON posts there fail. */
START_TEST(route_refuses_json)
{
    const struct cors_fetch_header hs[] = {
        {CORS_STR("Content-Type"), CORS_STR("application/json")},
    };
    struct outcome o;
    browser_fetch(APP, "POST", "/anything/route/items", hs, 1, CORS_FETCH_CREDENTIALS_INCLUDE, &o);
    ASSERT_BLOCKED(o, "preflight", "header-not-allowed");
}
END_TEST

/* Other sites cannot read our responses. */
START_TEST(other_site_cannot_read)
{
    struct outcome o;
    browser_fetch("https://evil.example", "GET", "/get", NULL, 0, CORS_FETCH_CREDENTIALS_INCLUDE,
                  &o);
    ASSERT_BLOCKED(o, "response", "allow-origin-missing");
}
END_TEST

/* Only GET and POST: a DELETE from the app is refused before it is sent. */
START_TEST(app_cannot_delete)
{
    struct outcome o;
    browser_fetch(APP, "DELETE", "/anything/items/1", NULL, 0, CORS_FETCH_CREDENTIALS_INCLUDE, &o);
    ASSERT_BLOCKED(o, "preflight", "method-not-allowed");
}
END_TEST

int
main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s SERVER POLICY_DIR\n", argv[0]);
        return 2;
    }
    server_bin = argv[1];
    policy_dir = argv[2];
    Suite *s = suite_create("server-cors");
    TCase *tc = tcase_create("browser");
    tcase_add_checked_fixture(tc, start_server, stop_server);
    tcase_add_test(tc, app_reads_gateway_header_with_cookies);
    tcase_add_test(tc, app_posts_json_with_token);
    tcase_add_test(tc, route_refuses_json);
    tcase_add_test(tc, other_site_cannot_read);
    tcase_add_test(tc, app_cannot_delete);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
