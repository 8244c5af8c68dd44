package org.zulip.auth

/**
 * A native object owned by one Kotlin object: the pointer is passed to native code only while
 * open, and freed exactly once, after the last call using it has returned.
 *
 * [close] never waits: when calls are still running on other threads, the last of them frees
 * the pointer as it returns. Calls started after [close] throw [IllegalStateException].
 */
internal class NativeHandle(private val owner: String, pointer: Long, private val free: (Long) -> Unit) {
    private var pointer: Long = pointer
    private var runningCalls = 0
    private var closed = false

    /** Runs [block] with the pointer, keeping it alive until [block] returns. */
    fun <T> withPointer(block: (Long) -> T): T {
        val current = acquire() ?: throw IllegalStateException("this $owner is closed; create a new one")
        try {
            return block(current)
        } finally {
            release()
        }
    }

    /** Runs [block] with the pointer, or does nothing and returns null when closed. */
    fun <T> withPointerIfOpen(block: (Long) -> T): T? {
        val current = acquire() ?: return null
        try {
            return block(current)
        } finally {
            release()
        }
    }

    /** Closes the handle; later calls are no-ops. */
    fun close() {
        val toFree = synchronized(this) {
            if (closed) {
                return
            }
            closed = true
            takePointerIfUnused()
        }
        if (toFree != 0L) {
            free(toFree)
        }
    }

    private fun acquire(): Long? = synchronized(this) {
        if (closed) {
            null
        } else {
            runningCalls++
            pointer
        }
    }

    private fun release() {
        val toFree = synchronized(this) {
            runningCalls--
            takePointerIfUnused()
        }
        if (toFree != 0L) {
            free(toFree)
        }
    }

    /** Returns the pointer and forgets it when the handle is closed and unused, else 0. Call with the lock held. */
    private fun takePointerIfUnused(): Long {
        if (!closed || runningCalls > 0) {
            return 0L
        }
        val unused = pointer
        pointer = 0L
        return unused
    }
}
