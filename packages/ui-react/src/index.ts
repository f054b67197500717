export type {
  Role,
  SessionClientLike,
  SessionPhase,
  SessionStatus,
  SessionWithVideo,
  VideoCredentials,
} from "./client";
export {
  defaultActionLabels,
  SessionActionButton,
  type SessionActionButtonProps,
  type SessionActionLabels,
} from "./SessionActionButton";
export {
  type CompleteDialogMessages,
  defaultCompleteMessages,
  SessionCompleteDialog,
  type SessionCompleteDialogProps,
} from "./SessionCompleteDialog";
export {
  defaultTimerMessages,
  SessionTimer,
  type SessionTimerMessages,
  type SessionTimerProps,
  type TimerState,
  timerState,
} from "./SessionTimer";
export { formatClock, formatDuration, formatStartsIn } from "./time";
export { type Countdown, type CountdownOptions, useCountdown } from "./useCountdown";
export { type JoinWindow, type JoinWindowOptions, type JoinWindowState, useJoinWindow } from "./useJoinWindow";
export { type SessionStatusOptions, type SessionStatusState, useSessionStatus } from "./useSessionStatus";
