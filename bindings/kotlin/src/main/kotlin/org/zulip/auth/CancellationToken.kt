package org.zulip.auth

import java.io.Closeable

/**
 * Cancels the calls it is passed to, from any thread, for a "Cancel" button.
 *
 * A cancelled call throws [CancelledException]: a call blocked reading or writing returns at
 * once, a pending connect or name lookup within about 20 ms, and a call started with a
 * cancelled token sends nothing. Cancelling cannot be undone, so make a new token for the next
 * attempt. Close the token when done; a token closed while calls use it stays valid until they
 * return.
 */
class CancellationToken private constructor(pointer: Long) : Closeable {
    internal val handle = NativeHandle("CancellationToken", pointer) { Native.cancelFree(it) }

    /** Creates a token that is not cancelled. */
    constructor() : this(Native.cancelNew())

    /** Cancels every call using this token, now and later. Safe from any thread; a no-op once closed. */
    fun cancel() {
        handle.withPointerIfOpen { Native.cancelCancel(it) }
    }

    /** Whether [cancel] was called. Throws [IllegalStateException] once closed. */
    val isCancelled: Boolean
        get() = handle.withPointer { Native.cancelIsCancelled(it) }

    /** Frees the native token. Calling it again does nothing. */
    override fun close() {
        handle.close()
    }

    /** Frees the native token of a token that was never closed. */
    protected fun finalize() {
        handle.close()
    }
}
