// Low-priority executor threads run at a lower scheduling priority than request handlers, under a name
// of their own (LowPriorityExecutor.swift says why). Linux applies setpriority(PRIO_PROCESS, tid) to one
// thread; Swift cannot call the variadic syscall() that returns the thread id, so these tiny wrappers do.
#define _GNU_SOURCE
#include "ck_render_support.h"

#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

int ck_lower_current_thread_priority(int niceness) {
    pid_t tid = (pid_t)syscall(SYS_gettid);
    return setpriority(PRIO_PROCESS, (id_t)tid, niceness);
}

int ck_name_current_thread(const char *name) {
    return pthread_setname_np(pthread_self(), name);
}
