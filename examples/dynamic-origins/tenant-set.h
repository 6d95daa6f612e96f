/*
 * tenant-set.h - a host's own set of allowed origins that changes at run time
 * (per tenant), asked by libcors through an origin predicate.
 *
 * The set is immutable once loaded; a reload builds a new one and swaps it in
 * under a write lock while evaluations go on, so every evaluation sees either
 * the old or the new set, never a mix. Lookups allocate nothing.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef TENANT_SET_H
#define TENANT_SET_H

#include <cors/cors.h>

#include <stdbool.h>
#include <stddef.h>

struct tenant_set;

/* A new, empty set (every origin refused); NULL when out of memory. */
struct tenant_set *tenant_set_new(void);

/* Frees the set. No evaluation may be running with a policy that uses it. */
void tenant_set_free(struct tenant_set *ts);

/*
 * Replaces the origins with those of text: one serialized origin per line
 * (https://tenant.example, http://localhost:8080), '#' comments and blank
 * lines ignored. Every line must be an origin in the canonical form browsers
 * send (libcors checks it): on any bad line nothing changes, false is
 * returned and err says which line and why. Safe while evaluations run.
 */
bool tenant_set_load(struct tenant_set *ts, const char *text, size_t len, char *err,
                     size_t err_size);

/* Number of origins in the current set. */
size_t tenant_set_count(struct tenant_set *ts);

/* The origin predicate to hand to cors_policy_builder_set_origin_predicate()
 * with the set as user_data. Thread-safe; never allocates. */
bool tenant_set_predicate(void *user_data, struct cors_str origin);

#endif /* TENANT_SET_H */
