// A command that is not reflected on screen until the device confirms it.
//
// Every control of a card (light switch, brightness, thermostat target) shows the last state
// the device CONFIRMED, not what the user asked for: a command puts the control into a pending
// look until a state message matching the request arrives. If none arrives in time, or the
// publish itself fails, the control falls back to the confirmed state and the user is told.
// One instance per control; light, brightness and thermostat all use this same class.

export interface CommandRequest<State, Value> {
  /** What was asked for, shown by the control while pending. */
  value: Value;
  /** Whether a confirmed state is the one asked for. */
  confirms: (state: State) => boolean;
  /** Sends the command; `done` gets the error if it could not be delivered. */
  send: (done: (error?: Error) => void) => void;
}

export interface PendingCommandOptions {
  /** Names the control in messages, e.g. "Living room light". */
  label: string;
  timeoutMs: number;
  /** Called whenever the command becomes pending or stops being pending. */
  onChange: () => void;
  /** Called with a message for the user when a command is reverted. */
  onRevert: (message: string) => void;
}

export class PendingCommand<State, Value> {
  readonly #options: PendingCommandOptions;
  #current: { request: CommandRequest<State, Value>; timer: ReturnType<typeof setTimeout> } |
            undefined;

  constructor(options: PendingCommandOptions) {
    this.#options = options;
  }

  get pending(): boolean {
    return this.#current !== undefined;
  }

  /** The requested value while pending. */
  get value(): Value | undefined {
    return this.#current?.request.value;
  }

  /**
   * Sends `request` and waits for its confirmation. A new command supersedes the pending one
   * silently: the user changed their mind, nothing was reverted.
   */
  start(request: CommandRequest<State, Value>): void {
    this.#clear();
    const timer = setTimeout(() => {
      this.#fail(request, `${this.#options.label} did not confirm — reverted`);
    }, this.#options.timeoutMs);
    const current = { request, timer };
    this.#current = current;
    this.#options.onChange();
    request.send((error) => {
      if (error) this.#fail(request, `${this.#options.label}: ${error.message} — reverted`);
    });
  }

  /** Feeds every confirmed state; the one asked for ends the wait. */
  observe(state: State): void {
    if (this.#current?.request.confirms(state)) {
      this.#clear();
      this.#options.onChange();
    }
  }

  /** Forgets the pending command without a message (e.g. the card is being discarded). */
  cancel(): void {
    if (!this.#current) return;
    this.#clear();
    this.#options.onChange();
  }

  /** Reverts `request` if it is still the pending one: late news of a superseded one is moot. */
  #fail(request: CommandRequest<State, Value>, message: string): void {
    if (this.#current?.request !== request) return;
    this.#clear();
    this.#options.onChange();
    this.#options.onRevert(message);
  }

  #clear(): void {
    if (this.#current) clearTimeout(this.#current.timer);
    this.#current = undefined;
  }
}
