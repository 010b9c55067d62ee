/**
 * Implementation of the switchboard; not an API, may change in any release. The classes are public only
 * where the API package constructs them.
 */
package dev.ballast.degradation.internal;
