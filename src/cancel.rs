//! Cancelling a call that is running on another thread.

use std::cell::RefCell;
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};

/// A token that cancels the calls it is passed to. Clones share one state.
///
/// [`CancelToken::cancel`] may be called from any thread, any number of times. It marks the
/// token as cancelled and shuts down every socket the token's calls are using, so a call blocked
/// in a read or write returns at once. A call that starts with a cancelled token sends nothing.
/// Cancelling cannot be undone: make a new token for the next attempt.
#[derive(Clone, Debug, Default)]
pub struct CancelToken {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    cancelled: AtomicBool,
    sockets: Mutex<Vec<Weak<TcpStream>>>,
}

impl CancelToken {
    /// Creates a token that is not cancelled.
    pub fn new() -> CancelToken {
        CancelToken::default()
    }

    /// Cancels every call using this token, now and in the future.
    pub fn cancel(&self) {
        self.inner.cancelled.store(true, Ordering::SeqCst);
        let sockets = std::mem::take(&mut *lock(&self.inner.sockets));
        for socket in sockets.iter().filter_map(Weak::upgrade) {
            // An error means the socket is already closed, which is what cancelling wants.
            let _ = socket.shutdown(Shutdown::Both);
        }
    }

    /// Returns whether [`CancelToken::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.inner.cancelled.load(Ordering::SeqCst)
    }

    /// Registers a socket so that cancelling shuts it down. Returns `false`, after shutting the
    /// socket down, when the token is already cancelled.
    pub(crate) fn register(&self, socket: &Arc<TcpStream>) -> bool {
        let mut sockets = lock(&self.inner.sockets);
        // Checked under the lock so that a concurrent cancel() either sees this socket or
        // this check sees the cancellation.
        if self.is_cancelled() {
            let _ = socket.shutdown(Shutdown::Both);
            return false;
        }
        sockets.retain(|weak| weak.strong_count() > 0);
        sockets.push(Arc::downgrade(socket));
        true
    }

    pub(crate) fn same_as(&self, other: &CancelToken) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // The protected data stays consistent even if a holder panicked, so poisoning is ignored.
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

thread_local! {
    /// The token of the call running on this thread. The HTTP stack runs a call entirely on the
    /// calling thread, so the resolver and the transports find the token here.
    static CURRENT: RefCell<Option<CancelToken>> = const { RefCell::new(None) };
}

/// Makes `token` the current thread's token until the returned guard is dropped.
pub(crate) fn enter(token: Option<&CancelToken>) -> CurrentGuard {
    let previous = CURRENT.with(|current| current.replace(token.cloned()));
    CurrentGuard { previous }
}

/// Returns the token of the call running on this thread.
pub(crate) fn current() -> Option<CancelToken> {
    CURRENT.with(|current| current.borrow().clone())
}

/// Returns whether the call running on this thread is cancelled.
pub(crate) fn current_is_cancelled() -> bool {
    CURRENT.with(|current| current.borrow().as_ref().is_some_and(CancelToken::is_cancelled))
}

/// Restores the previous current token when dropped.
pub(crate) struct CurrentGuard {
    previous: Option<CancelToken>,
}

impl Drop for CurrentGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        CURRENT.with(|current| *current.borrow_mut() = previous);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::net::TcpListener;
    use std::time::{Duration, Instant};

    #[test]
    fn cancel_interrupts_blocked_read() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = Arc::new(TcpStream::connect(listener.local_addr().unwrap()).unwrap());
        let _server_side = listener.accept().unwrap();
        let token = CancelToken::new();
        assert!(token.register(&client));

        let canceller = token.clone();
        let thread = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            canceller.cancel();
        });
        let started = Instant::now();
        let mut buf = [0u8; 16];
        let read = (&*client).read(&mut buf);
        thread.join().unwrap();
        assert!(matches!(read, Ok(0) | Err(_)));
        assert!(started.elapsed() < Duration::from_secs(5));
        assert!(token.is_cancelled());
    }

    #[test]
    fn register_after_cancel_fails() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = Arc::new(TcpStream::connect(listener.local_addr().unwrap()).unwrap());
        let token = CancelToken::new();
        token.cancel();
        token.cancel();
        assert!(!token.register(&client));
    }

    #[test]
    fn guard_restores_previous_token() {
        let outer = CancelToken::new();
        let _outer_guard = enter(Some(&outer));
        {
            let _inner_guard = enter(None);
            assert!(current().is_none());
        }
        assert!(current().unwrap().same_as(&outer));
    }
}
