/** The handler of each state type, in one table that the execution hands to the interpreter. */
import { map, parallel } from './branches';
import type { StateHandlers } from './interpreter';
import { choice, fail, pass, succeed, wait } from './state-handlers';
import { task } from './task-state';

export const STATE_HANDLERS: StateHandlers = {
  Pass: pass,
  Choice: choice,
  Wait: wait,
  Succeed: succeed,
  Fail: fail,
  Task: task,
  Map: map,
  Parallel: parallel,
};
