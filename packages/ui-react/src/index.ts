export {
  type Escrow,
  isTokenExpired,
  type RefreshableClient,
  type Role,
  type SessionClientLike,
  type SessionPhase,
  type SessionStatus,
  type SessionWithVideo,
  type TokenRefresher,
  type VideoCredentials,
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
  type TimerView,
  timerState,
} from "./SessionTimer";
export { formatClock, formatDuration, formatMoment, formatRelativeIn, formatStartsIn } from "./time";
export { type Countdown, type CountdownOptions, useCountdown } from "./useCountdown";
export { type JoinWindow, type JoinWindowOptions, type JoinWindowState, useJoinWindow } from "./useJoinWindow";
export { type SessionStatusOptions, type SessionStatusState, useSessionStatus } from "./useSessionStatus";
