/**
 * The shape of a message catalogue. Every string a person sees comes from an
 * object of this type, so a translation is one new file (see en.ts) and the
 * compiler lists whatever it is missing. Functions take the values a sentence
 * needs, so each language orders and inflects them its own way.
 */
import type { CandidateStatus, ExamPhase, LinkPurpose, Org, OrgUser, Role, RosterAction } from '../api/types';
import type { SignalKind } from '../api/policy';
import type { PolicySetting, RetentionKind } from '../api/retention';

/** Text for one readiness check: what it is, and what passing or failing means. */
export interface CheckText {
  label: string;
  pass: string;
  fail: string;
}

export interface Messages {
  /** BCP 47 tag for <html lang>. */
  lang: string;
  dir: 'ltr' | 'rtl';
  product: string;
  skipToContent: string;
  readiness: {
    documentTitle: string;
    heading: string;
    intro: string;
    checksHeading: string;
    status: { pending: string; pass: string; fail: string };
    summary: {
      running: string;
      ready: string;
      notReady: (failed: number) => string;
    };
    checks: {
      modules: CheckText;
      wasm: CheckText;
      isolation: CheckText;
      indexedDb: CheckText;
      serviceWorker: CheckText;
      secureContext: CheckText;
      python: CheckText;
    };
    advice: { untrustedCertificate: string; noDiskSpace: string };
    pythonDetail: (pythonVersion: string, bootMs: number) => string;
    failureDetail: (reason: string) => string;
    runAgain: string;
  };
  scratch: {
    heading: string;
    intro: string;
    editorLabel: string;
    editorHint: string;
    defaultProgram: string;
    run: string;
    running: string;
    stop: string;
    outputLabel: string;
    outputEmpty: string;
    outputTruncated: string;
    result: {
      ok: (ms: number) => string;
      error: (ms: number) => string;
      interrupted: string;
      unavailable: string;
    };
  };
  notFound: {
    documentTitle: string;
    heading: string;
    body: string;
    link: string;
    home: string;
  };
  common: {
    loading: string;
    optional: string;
    save: string;
    saving: string;
    cancel: string;
    retry: string;
    never: string;
    unknown: string;
    required: string;
    /** A list of items in running text: "a, b and c". */
    list: (items: string[]) => string;
    count: (n: number) => string;
    /** A name with what tells it apart: "Faculty of Physics (physics)". */
    withDetail: (name: string, detail: string) => string;
    /** A search field above a list of people, and how many match. */
    personPicker: {
      search: (label: string) => string;
      hint: string;
      all: (count: number) => string;
      matching: (count: number, total: number) => string;
    };
    /** A course by code and title: "PHYS101 Physics I". */
    course: (code: string, title: string) => string;
  };
  errors: {
    network: string;
    unexpected: (status: number) => string;
    tooManyAttempts: (seconds: number | undefined) => string;
    sessionCheckFailed: string;
  };
  header: {
    navLabel: string;
    signedInAs: (name: string) => string;
    account: string;
    signOut: string;
    nav: { platform: string; admin: string; courses: string; home: string };
  };
  roles: Record<Role, string>;
  passwords: {
    newLabel: string;
    againLabel: string;
    hint: string;
    differ: string;
  };
  oneTimeLink: {
    copy: string;
    copied: string;
    copyFailed: string;
    note: (expires: string) => string;
  };
  signIn: {
    documentTitle: string;
    heading: string;
    platformToggle: string;
    platformHint: string;
    org: string;
    orgHint: string;
    email: string;
    password: string;
    submit: string;
    busy: string;
    /** The server is busy checking other people's passwords; the page tries again by itself. */
    queued: (seconds: number) => string;
    sessionEnded: string;
    checkComputer: string;
  };
  link: {
    documentTitle: string;
    heading: Record<LinkPurpose, string>;
    intro: {
      setup: string;
      invitation: (org: string | undefined) => string;
      password_reset: string;
    };
    account: (email: string) => string;
    expires: (when: string) => string;
    email: string;
    displayName: string;
    submit: Record<LinkPurpose, string>;
    invalidHeading: string;
    invalidBody: string;
    doneHeading: string;
    done: Record<LinkPurpose, string>;
    signIn: string;
  };
  account: {
    /** A candidate's account: who, and why there is no password. */
    candidate: (name: string) => string;
    documentTitle: string;
    heading: string;
    who: (name: string, email: string) => string;
    password: {
      heading: string;
      current: string;
      submit: string;
      done: string;
    };
    sessions: {
      heading: string;
      intro: string;
      started: string;
      lastSeen: string;
      address: string;
      browser: string;
      actions: string;
      current: string;
      end: string;
      endTitle: string;
      endBody: string;
      endConfirm: string;
    };
    signOut: { heading: string; body: string };
  };
  platform: {
    documentTitle: string;
    heading: string;
    intro: string;
    table: {
      caption: string;
      slug: string;
      name: string;
      status: string;
      created: string;
      actions: string;
      empty: string;
    };
    status: Record<Org['status'], string>;
    rename: string;
    renameLabel: (slug: string) => string;
    deactivate: string;
    reactivate: string;
    deactivateTitle: (name: string) => string;
    deactivateBody: string;
    create: {
      heading: string;
      slug: string;
      slugHint: string;
      name: string;
      nameHint: string;
      slugLength: string;
      slugStart: string;
      slugCharacters: string;
      slugHyphens: string;
      slugTaken: string;
      nameLength: string;
      submit: string;
      done: (name: string) => string;
    };
    invite: {
      heading: string;
      intro: string;
      org: string;
      chooseOrg: string;
      noOrgs: string;
      email: string;
      name: string;
      submit: string;
      linkLabel: (name: string, org: string) => string;
    };
    statusPanel: {
      heading: string;
      version: string;
      certificate: string;
      /** Valid until `until`, `days` left (negative: expired). */
      certificateValid: (until: string, days: number) => string;
      certificateUnreadable: (why: string) => string;
      fingerprint: (hex: string) => string;
      platformLog: string;
      platformDb: string;
      orgsCaption: string;
      org: string;
      size: string;
      auditLog: string;
      notChecked: string;
      intact: (when: string, entries: number) => string;
      broken: (when: string, problem: string) => string;
      kib: (kilobytes: number) => string;
      mib: (megabytes: number) => string;
    };
    doctor: {
      heading: string;
      never: string;
      running: string;
      /** When the checks last ran, and how many passed, warned and failed. */
      summary: (when: string, pass: number, warn: number, fail: number) => string;
      run: string;
      caption: string;
      check: string;
      result: string;
      found: string;
      pass: string;
      warn: string;
      fail: string;
      fix: (what: string) => string;
    };
    admins: {
      toggle: string;
      heading: (org: string) => string;
      none: string;
      /** Invited, no password yet, the link works until `until`. */
      invited: (until: string) => string;
      invitationExpired: string;
      neverSignedIn: string;
      signedIn: (when: string) => string;
      disabled: string;
      reissue: string;
      reset: string;
      linkLabel: (name: string, org: string) => string;
    };
  };
  admin: {
    invitations: {
      heading: string;
      intro: string;
      /** The button, for `count` people without a password. */
      make: (count: number) => string;
      issued: (count: number, until: string) => string;
      once: string;
      print: string;
      csv: string;
      skipped: (count: number) => string;
      qr: (name: string) => string;
      studentNumber: (number: string) => string;
      email: (address: string) => string;
      howTo: (until: string) => string;
    };
    documentTitle: (section: string) => string;
    heading: string;
    navLabel: string;
    sections: { users: string; courses: string; roles: string; roster: string; audit: string; backups: string; retention: string };
    users: {
      create: {
        heading: string;
        email: string;
        name: string;
        studentNumber: string;
        studentNumberHint: string;
        role: string;
        roleHint: string;
        noRole: string;
        course: string;
        chooseCourse: string;
        section: string;
        chooseSection: string;
        submit: string;
        linkLabel: (name: string) => string;
      };
      filter: string;
      filterHint: string;
      caption: (shown: number, total: number) => string;
      name: string;
      email: string;
      studentNumber: string;
      status: string;
      roles: string;
      lastSignIn: string;
      actions: string;
      statusText: Record<OrgUser['status'], string>;
      noPassword: string;
      disable: string;
      enable: string;
      edit: string;
      editName: string;
      editEmail: string;
      editEmailHint: string;
      edited: (name: string) => string;
      disableTitle: (name: string) => string;
      disableBody: string;
      resetLink: string;
      resetLabel: (name: string) => string;
      clearLimits: string;
      clearLimitsTitle: (name: string) => string;
      clearLimitsBody: string;
      clearLimitsDone: (name: string) => string;
      exportJson: string;
      exportCsv: string;
      exportHint: string;
      erase: string;
      eraseTitle: (name: string) => string;
      eraseBody: string;
      /** Recorded: erased by the purge at `utcHour` (or IT's, `null`), after these exams (worded, or `null` for none). */
      eraseRecorded: (utcHour: number | null, exams: string | null) => string;
      erasureRequested: string;
      eraseWaitsFor: (title: string, closes: string, held: boolean) => string;
      cancelErasure: string;
      erasureCancelled: (name: string) => string;
      empty: string;
      noMatch: string;
    };
    courses: {
      create: { heading: string; code: string; codeHint: string; title: string; submit: string };
      listHeading: string;
      empty: string;
      sections: string;
      noSections: string;
      addSection: (code: string) => string;
      addSectionSubmit: string;
    };
    roles: {
      intro: string;
      form: {
        heading: string;
        user: string;
        chooseUser: string;
        role: string;
        course: string;
        chooseCourse: string;
        section: string;
        chooseSection: string;
        submit: string;
        granted: (role: string, name: string) => string;
      };
      scopeHint: Record<Role, string>;
      caption: string;
      person: string;
      role: string;
      scope: string;
      actions: string;
      wholeOrg: string;
      sectionScope: (course: string, section: string) => string;
      revoke: string;
      revokeTitle: (role: string, name: string) => string;
      revokeBody: string;
      empty: string;
    };
    roster: {
      sourceHeading: string;
      previewHeading: string;
      importHeading: string;
      intro: string;
      file: string;
      paste: string;
      pasteHint: string;
      preview: string;
      import: string;
      empty: string;
      stale: string;
      fixErrors: string;
      nothingToChange: string;
      previewSummary: (creates: number, updates: number, unchanged: number, errors: number) => string;
      importSummary: (creates: number, updates: number, unchanged: number) => string;
      caption: string;
      line: string;
      studentNumber: string;
      name: string;
      email: string;
      course: string;
      section: string;
      result: string;
      problems: string;
      problemsOrChanges: string;
      template: string;
      templateHint: string;
      action: Record<RosterAction, string>;
    };
    audit: {
      intro: string;
      filters: string;
      actor: string;
      anyone: string;
      action: string;
      actionHint: string;
      from: string;
      to: string;
      toBeforeFrom: string;
      /** The disclosure that shows an entry's details whole. */
      fullDetails: string;
      limit: string;
      apply: string;
      export: string;
      caption: string;
      at: string;
      who: string;
      what: string;
      target: string;
      outcome: string;
      outcomes: Record<string, string>;
      address: string;
      details: string;
      older: string;
      noOlder: string;
      empty: string;
    };
    backups: {
      intro: string;
      noRecipients: string;
      automatic: (nightlyHour: number | null) => string;
      manualOnly: string;
      caption: string;
      what: string;
      lastGood: string;
      lastError: string;
      wholeOrganization: string;
      exam: (course: string, title: string) => string;
      closes: (when: string) => string;
      none: string;
      good: (when: string, size: string) => string;
      file: string;
      failed: (when: string) => string;
      noError: string;
      size: (bytes: number) => string;
    };
    retention: {
      intro: string;
      policy: {
        heading: string;
        /** Who set the policy last: "Set by Paula Admin on …". */
        updated: (by: string, when: string) => string;
        neverSet: string;
        minimum: (days: number) => string;
        /** When the server purges what is due, or that IT does it by hand (`null`). */
        schedule: (utcHour: number | null) => string;
        /** The legend and the description of each setting. */
        kinds: Record<PolicySetting, { legend: string; hint: string }>;
        forever: string;
        keepDays: string;
        days: string;
        daysHint: (minimum: number) => string;
        /** The audit setting's radio and days label (days after each entry is written). */
        keepAuditDays: string;
        auditDays: string;
        wholeDays: string;
        /** The setting `kind` below the platform's minimum. */
        belowMinimum: (kind: PolicySetting, minimum: number) => string;
        evidenceLonger: (examDays: number) => string;
        save: string;
        saved: string;
      };
      kinds: Record<RetentionKind, string>;
      exam: string;
      rows: string;
      dayCount: (days: number) => string;
      due: {
        heading: string;
        caption: string;
        what: string;
        closed: string;
        keptFor: string;
        status: string;
        held: (reason: string) => string;
        /** Not held: purged at the next daily purge, or when IT purges (`null`). */
        goes: (utcHour: number | null) => string;
        empty: string;
        /** Audit entries written before `before` that the next purge empties. */
        audit: (entries: number, before: string) => string;
      };
      holds: {
        heading: string;
        intro: string;
        caption: string;
        reason: string;
        heldBy: string;
        heldAt: string;
        actions: string;
        empty: string;
        release: string;
        /** Read out after "Release" on a row's button. */
        releaseWhat: (title: string) => string;
        releaseTitle: (title: string) => string;
        releaseBody: string;
        released: (title: string) => string;
        formHeading: string;
        chooseExam: string;
        reasonHint: string;
        submit: string;
        held: (title: string) => string;
        noExams: string;
      };
      purged: {
        heading: string;
        caption: string;
        what: string;
        at: string;
        empty: string;
      };
    };
  };
  courses: {
    documentTitle: string;
    heading: string;
    yourRoles: (roles: string) => string;
    sections: string;
    noSections: string;
    noExams: string;
    proctorHint: string;
    /** The link from a taught course to its page: "Exams of PHYS101". */
    openExams: (code: string) => string;
    empty: string;
  };
  /** Text about exams shared by several screens. */
  exams: {
    phase: Record<ExamPhase, string>;
    /** An exam's window: "1 Dec 2026, 09:00 to 1 Dec 2026, 12:00". */
    window: (opens: string, closes: string) => string;
    minutes: (n: number) => string;
  };
  course: {
    documentTitle: (course: string) => string;
    back: string;
    examsHeading: string;
    caption: string;
    title: string;
    phase: string;
    window: string;
    duration: string;
    actions: string;
    candidates: string;
    empty: string;
  };
  candidates: {
    documentTitle: string;
    examTitle: (exam: string) => string;
    heading: string;
    back: (course: string) => string;
    examLine: (exam: string, course: string) => string;
    intro: string;
    create: {
      heading: string;
      section: string;
      chooseSection: string;
      noSections: string;
      validFrom: string;
      validUntil: string;
      validityHint: (window: string) => string;
      untilAfterFrom: string;
      mode: string;
      one: string;
      many: string;
      label: string;
      labelHint: string;
      studentNumber: string;
      file: string;
      paste: string;
      pasteHint: string;
      csvEmpty: string;
      submitOne: string;
      submitMany: string;
      busy: string;
    };
    issued: {
      /** What the slip's QR code holds, for screen readers. */
      qr: (label: string) => string;
      heading: (count: number) => string;
      note: string;
      print: string;
      copyAll: string;
      copy: string;
      copied: string;
      copiedAll: string;
      copyFailed: string;
      studentNumber: (number: string) => string;
      exam: (exam: string, course: string) => string;
      howTo: string;
      valid: (from: string, until: string) => string;
      /** One line of "Copy all": name, student number (may be empty) and address. */
      line: (name: string, studentNumber: string, url: string) => string;
    };
    list: {
      heading: string;
      caption: (count: number) => string;
      name: string;
      studentNumber: string;
      section: string;
      validity: string;
      status: string;
      actions: string;
      statusText: Record<CandidateStatus, string>;
      redeemedAt: (when: string) => string;
      empty: string;
      revoke: string;
      revokeTitle: (name: string) => string;
      revokeBody: string;
      revokeUsedBody: string;
      revokeConfirm: string;
      revoked: (name: string) => string;
      reissue: string;
      reissueTitle: (name: string) => string;
      reissueBody: string;
      reissueConfirm: string;
      reissued: (name: string) => string;
    };
  };
  /** Writing an exam: the editor for the course's instructors (screens/author). */
  author: {
    /** The editor's title until the exam is loaded. */
    documentTitle: string;
    newTitle: string;
    editTitle: (exam: string) => string;
    back: (course: string) => string;
    headingNew: string;
    headingEdit: string;
    /** Links on the course page. */
    fromCourse: { newExam: string; edit: string };
    formLegend: string;
    create: string;
    saveState: { new: string; unsaved: string; saved: string; closed: string };
    markdownHint: string;
    /** The heading of a Markdown preview: "Preview of Instructions". */
    preview: (field: string) => string;
    previewEmpty: string;
    errors: {
      summary: string;
      time: string;
      closesAfterOpens: string;
      sections: string;
      wholeNumber: (min: number, max: number) => string;
    };
    settings: {
      heading: string;
      title: string;
      instructions: string;
      opensAt: string;
      closesAt: string;
      localTime: string;
      closesHint: string;
      duration: string;
      durationHint: string;
      sections: string;
      sectionsHint: string;
      noSections: string;
      latePolicy: string;
      late: { accept_queued: string; refuse: string };
      integrity: string;
      integrityHint: string;
      profiles: { lenient: string; standard: string; strict: string };
      fullscreen: string;
      fullscreenHint: string;
    };
    questions: {
      heading: (count: number) => string;
      empty: string;
      add: string;
      /** A question by position (0-based index): "Question 1". */
      number: (index: number) => string;
      named: (index: number, title: string) => string;
      moveUp: string;
      moveDown: string;
      remove: string;
      removeTitle: (question: string) => string;
      removeBody: string;
      removeConfirm: string;
      title: string;
      points: string;
      pointsHint: string;
      prompt: string;
      starter: string;
      starterHint: string;
      model: string;
      modelHint: string;
    };
    tests: {
      heading: (count: number) => string;
      empty: string;
      add: string;
      /** A test by position (0-based index): "Test 1". */
      name: (index: number) => string;
      remove: string;
      removeTitle: (test: string, question: string) => string;
      removeBody: string;
      removeConfirm: string;
      visibility: string;
      visible: string;
      hidden: string;
      kind: string;
      function: string;
      io: string;
      expression: string;
      expressionHint: string;
      expectedValue: string;
      expectedValueHint: string;
      stdin: string;
      stdinHint: string;
      expectedOutput: string;
      ignoreWhitespace: string;
      ignoreWhitespaceHint: string;
    };
    run: {
      heading: string;
      intro: string;
      run: string;
      stop: string;
      noTests: string;
      noTestsInQuestion: string;
      /** Which question runs (0-based index) of how many. */
      running: (question: number, of: number) => string;
      stopped: string;
      allPassed: (total: number) => string;
      someFailed: (failed: number, total: number) => string;
      unavailable: (reason: string) => string;
      stale: string;
      /** A test's kind in short: "(hidden, input/output)". */
      kindLine: (visibility: 'visible' | 'hidden', kind: 'function' | 'io') => string;
      passed: string;
      failed: string;
      notRun: string;
      stdin: string;
      expected: string;
      actual: string;
      error: string;
    };
    publish: {
      heading: string;
      saveNew: string;
      draftIntro: string;
      saveFirst: string;
      noQuestions: string;
      running: string;
      runFirst: string;
      runStopped: string;
      failing: (failed: number, total: number) => string;
      ready: (total: number) => string;
      publish: string;
      publishing: string;
      confirmTitle: (exam: string) => string;
      confirmBody: (opens: string, closes: string) => string;
      confirmAction: string;
      publishedAt: (when: string) => string;
      editsAudited: string;
      closed: string;
      otherHeading: string;
      duplicateHint: string;
      duplicateUnsaved: string;
      duplicate: string;
      duplicating: string;
      delete: string;
      deleteTitle: (exam: string) => string;
      deleteBody: string;
      deleteConfirm: string;
    };
  };
  candidateLink: {
    documentTitle: string;
    who: (label: string) => string;
    valid: (from: string, until: string) => string;
    notYet: (from: string) => string;
    intro: string;
    start: string;
    starting: string;
    invalidHeading: string;
    invalidBody: string;
  };
  home: {
    documentTitle: string;
    heading: string;
    welcome: (name: string) => string;
    section: (name: string) => string;
    noExams: string;
    empty: string;
    examsHeading: string;
    groups: { open: string; upcoming: string; done: string };
    window: (opens: string, closes: string) => string;
    duration: (minutes: number, extra: number) => string;
    submitted: string;
    started: string;
    watchingHeading: string;
    watchingIntro: string;
    watchingExam: (course: string, exam: string) => string;
    /** The course line on an exam's card and landing page. */
    course: (code: string, title: string) => string;
    openMonitor: string;
  };
  /** The live monitor of one exam, for its staff and its sections' proctors. */
  monitor: {
    documentTitle: string;
    /** Shown instead of an e-mail for someone who signs in with a candidate link. */
    candidate: string;
    heading: (exam: string) => string;
    intro: string;
    live: string;
    reconnecting: string;
    summaryLabel: string;
    summary: { total: (count: number) => string };
    statuses: {
      not_started: string;
      working: string;
      idle: (minutes: number) => string;
      disconnected: string;
      submitted: string;
      submitted_at_deadline: string;
    };
    /** Each status's name, for the summary and the filter. */
    statusNames: {
      not_started: string;
      working: string;
      idle: string;
      disconnected: string;
      submitted: string;
      submitted_at_deadline: string;
    };
    statusFilter: string;
    sectionFilter: string;
    allStatuses: string;
    allSections: string;
    section: (name: string) => string;
    sortBy: string;
    sorts: { name: string; status: string; lastSave: string; signals: string };
    caption: (shown: number, total: number) => string;
    columns: {
      student: string;
      section: string;
      status: string;
      timeLeft: string;
      lastSave: string;
      questions: string;
      signals: string;
      tests: string;
      activity: string;
    };
    signalCounts: (high: number, medium: number, low: number) => string;
    signalsPending: string;
    testsRun: (passed: number, total: number) => string;
    noTestsRun: string;
    sparkline: (values: number[]) => string;
    severityFilter: string;
    severities: { any: string; high: string; medium: string; none: string };
    activityTable: { show: string; hide: string; caption: (minutes: number) => string; minute: (ago: number) => string };
    never: string;
    ago: (seconds: number) => string;
    left: (minutes: number, seconds: number) => string;
    timeUp: string;
    notStartedLeft: string;
    questions: (done: number, total: number) => string;
    extra: (minutes: number) => string;
    noStudents: string;
    link: string;
    open: (name: string) => string;
    actions: {
      column: string;
      move: string;
      moveConfirm: (name: string) => { title: string; body: string; action: string };
      moreTime: string;
      moreTimeFor: (name: string) => string;
      minutes: string;
      minutesHint: (most: number) => string;
      reason: string;
      give: string;
      cancel: string;
      given: (name: string, minutes: number) => string;
      reopen: string;
      reopenFor: (name: string) => string;
      reopenGive: string;
      reopened: (name: string, minutes: number) => string;
      /** Added to `reopened` for a candidate: their session ended, they need their link issued again. */
      reopenedCandidate: string;
      close: string;
      closeConfirm: { title: string; body: string; action: string };
    };
    announcements: {
      heading: string;
      intro: string;
      to: string;
      everyone: string;
      body: string;
      send: string;
      none: string;
      toSection: (name: string) => string;
      toEveryone: string;
      byLine: (name: string, when: string) => string;
      readCount: (read: number, total: number) => string;
      unread: (count: number) => string;
    };
    incidents: {
      heading: string;
      intro: string;
      about: string;
      wholeSection: (name: string) => string;
      note: string;
      add: string;
      none: string;
      byLine: (name: string, when: string) => string;
      aboutSection: (name: string) => string;
    };
  };
  /** An exam's signal thresholds and proctor permissions: its instructors change them, its other staff and proctors read them. */
  policy: {
    documentTitle: string;
    heading: (exam: string) => string;
    /** The link on the exam's page. */
    link: string;
    backToExam: string;
    backToMonitor: string;
    /** What the thresholds decide: only what is shown to a person. */
    note: string;
    profile: (profile: string) => string;
    profiles: { lenient: string; standard: string; strict: string };
    adjusted: string;
    notAdjusted: string;
    readOnly: string;
    lastChanged: (name: string, when: string) => string;
    thresholds: {
      heading: string;
      caption: string;
      columns: { kind: string; on: string; severity: string; at: string; profile: string };
      /** The accessible names of a row's controls, naming the kind. */
      on: (kind: string) => string;
      severity: (kind: string) => string;
      field: (kind: string, unit: string) => string;
      severities: { low: string; medium: string; high: string };
      /** A severity inside a sentence ("200 characters, medium"). */
      severityWords: { low: string; medium: string; high: string };
      isOn: string;
      isOff: string;
      alwaysOn: string;
      anyMismatch: string;
      kinds: Record<SignalKind, { name: string; what: string }>;
      /** The unit of each number a kind takes, after its input. */
      units: {
        second_device: string;
        large_paste: string;
        sudden_code: string;
        chars_per_second: string;
        over_seconds: string;
        total_seconds: string;
        longest_seconds: string;
        fullscreen_exit: string;
        devtools: string;
        offline: string;
      };
      /** A kind's setting in words. */
      setting: {
        history_mismatch: string;
        second_device: (count: number) => string;
        large_paste: (count: number) => string;
        sudden_code: (count: number) => string;
        typing_burst: (charsPerSecond: number, overSeconds: number) => string;
        time_away: (totalSeconds: number, longestSeconds: number) => string;
        fullscreen_exit: (count: number) => string;
        devtools: (count: number) => string;
        offline: (seconds: number) => string;
      };
      off: string;
      rule: (setting: string, severity: string) => string;
      profileSetting: (profile: string, setting: string) => string;
      reset: string;
      resetConfirm: { title: string; body: string; action: string };
      resetDone: string;
    };
    proctors: {
      heading: string;
      intro: string;
      readCode: string;
      extraMinutes: string;
      extraMinutesHint: string;
      yes: string;
      no: string;
    };
    save: string;
    saving: string;
    saved: string;
    /** Inputs that hold no whole number, named by their labels. */
    notWhole: (fields: string) => string;
    notWholeField: string;
  };
  /** Grading and marking an exam's submissions, for its instructors and reviewers. */
  grading: {
    documentTitle: string;
    heading: (exam: string) => string;
    link: string;
    runHeading: string;
    explain: string;
    start: string;
    resumeGrading: string;
    pause: string;
    resume: string;
    preparing: string;
    progress: (done: number, of: number, paused: boolean) => string;
    allGraded: (count: number) => string;
    waiting: (count: number) => string;
    gradebookHeading: string;
    noSubmissions: string;
    filter: string;
    sortBy: string;
    sortName: string;
    sortTotal: string;
    caption: (shown: number, all: number) => string;
    student: string;
    questionHead: (title: string, points: number) => string;
    total: (max: number) => string;
    resultsHead: string;
    points: (points: number, max: number) => string;
    pending: (graded: number, tests: number) => string;
    passed: (passed: number, tests: number) => string;
    noTotal: string;
    showResults: string;
    hideResults: string;
    testName: (position: number, visibility: 'visible' | 'hidden') => string;
    notGraded: string;
    outcomes: { passed: string; failed: string; error: string; timed_out: string };
    expected: string;
    actual: string;
    stdout: string;
    stderr: string;
    ran: string;
    ranBy: (ms: number, who: string, when: string) => string;
    olderResults: (count: number) => string;
    /** A question's points that count, and where they came from. */
    pointsFrom: (points: number, max: number, source: 'computed' | 'override') => string;
    /** Every test has a result; the rubric is not marked yet. */
    rubricWaits: string;
    schemeStale: string;
    /** A question with neither tests nor rubric, not given points yet. */
    byHandOnly: string;
    /** The tests' and the rubric's parts of the computed points; null for a part not known yet. */
    breakdown: (tests: number | null, rubric: number | null) => string;
    /** What was computed, beside points set by hand. */
    computedWas: (points: number) => string;
    feedbackGiven: string;
    secondPoints: (points: number, max: number) => string;
    markersDiffer: string;
    integrityHead: string;
    referred: (count: number) => string;
    noneReferred: string;
    anonymousNote: string;
    differHeading: (count: number) => string;
    differItem: (name: string, question: string, first: number, second: number) => string;
    markHeading: string;
    markerLegend: string;
    markers: { first: string; second: string };
    rubricLegend: string;
    rubricHint: string;
    rubricItem: (description: string, points: number) => string;
    byHand: string;
    byHandHint: (max: number) => string;
    byHandError: (max: number) => string;
    feedback: string;
    feedbackHint: string;
    lastMark: (who: string, when: string) => string;
    noMark: string;
    saveMark: string;
    markSaved: string;
    historyHeading: string;
    noMarks: string;
    historyEntry: (who: string, when: string, marker: 'first' | 'second') => string;
    historyByHand: string;
    historyNoByHand: string;
    historyRubric: string;
    historyRubricNotMarked: string;
    historyNone: string;
    /** A rubric position past the rubric's end: the item was removed after the mark. */
    historyItemRemoved: (position: number) => string;
    historyFeedback: string;
    setupHeading: string;
    setupIntro: string;
    optionsLegend: string;
    optionAnonymous: string;
    optionSecondMarker: string;
    optionSecondMarkerHint: string;
    optionHiddenCounts: string;
    saveOptions: string;
    optionsSaved: string;
    schemesHeading: string;
    schemesIntro: string;
    schemeLegend: (title: string, points: number) => string;
    weightLabel: (position: number, visibility: 'visible' | 'hidden') => string;
    weightHint: string;
    weightError: string;
    rubricItemLegend: (position: number) => string;
    itemDescription: string;
    itemPoints: string;
    descriptionError: string;
    itemPointsError: string;
    noRubric: string;
    addItem: string;
    removeItem: (position: number) => string;
    mostItems: (most: number) => string;
    /** How a question's points divide as the scheme stands (tests' share, rubric, maximum). */
    division: (tests: number, rubric: number, max: number) => string;
    divisionByHand: (max: number) => string;
    rubricTooMuch: (rubric: number, max: number) => string;
    noWeight: (max: number) => string;
    saveScheme: string;
    schemeSaved: (title: string) => string;
    releaseHeading: string;
    releaseHint: string;
    releaseNever: string;
    releasedBy: (who: string, when: string) => string;
    withdrawnBy: (who: string, when: string) => string;
    releaseButton: string;
    withdrawButton: string;
    releaseConfirm: { title: string; body: string; action: string };
    withdrawConfirm: { title: string; body: string; action: string };
    releaseDone: string;
    withdrawDone: string;
  };
  similarityScreen: {
    documentTitle: string;
    heading: (exam: string) => string;
    question: string;
    link: string;
    /** The question has not been compared yet. */
    noRun: string;
    runNow: string;
    runAgain: string;
    running: string;
    /** When and why the run shown was made. */
    ranAtClose: (when: string) => string;
    ranOnDemand: (who: string, when: string) => string;
    reviewHeading: string;
    reviewLegend: string;
    noDecision: string;
  };
  /** One student's attempt, for the course's instructors and reviewers. */
  caseFile: {
    documentTitle: string;
    heading: (name: string, exam: string) => string;
    back: string;
    print: string;
    download: string;
    link: string;
    generated: (when: string, by: string) => string;
    submissions: string;
    notSubmitted: string;
    submission: (number: number, reason: string, when: string, sha: string) => string;
    answersCaption: string;
    question: string;
    sha256: string;
    signals: string;
    none: string;
    signal: (severity: string, kind: string) => string;
    noDecision: string;
    decision: (decision: string, by: string, when: string, comment: string) => string;
    pairs: string;
    noPairs: string;
    pair: (question: string, other: string, score: number) => string;
    fragments: string;
    thisStudent: string;
    code: string;
    timeline: string;
    timelineCaption: (count: number) => string;
  };
  student: {
    documentTitle: string;
    heading: (name: string, exam: string) => string;
    back: string;
    open: string;
    signalsHeading: string;
    signalsNote: string;
    noSignals: string;
    severity: { low: string; medium: string; high: string };
    evidence: (items: string) => string;
    codeHeading: string;
    codeReadAt: (when: string) => string;
    codeNotShown: string;
    timelineHeading: string;
    timelineCaption: (count: number) => string;
    columns: { at: string; source: string; what: string; question: string; detail: string };
    sources: { log: string; server: string; note: string };
    away: (seconds: number) => string;
    noteBy: (note: string, by: string) => string;
    inserted: (count: number) => string;
    unmatched: string;
    clipboard: (count: number) => string;
    clipboardText: string;
    replay: {
      heading: string;
      intro: string;
      question: string;
      position: string;
      positionText: (index: number, total: number, at: string) => string;
      start: string;
      play: string;
      pause: string;
      speed: string;
      jumps: string;
      jumpTo: (what: string, seq: number) => string;
      explained: string;
      unexplained: string;
      notSubmitted: string;
      noEdits: string;
    };
    review: {
      heading: string;
      decision: string;
      decisions: { dismissed: string; noted: string; referred: string };
      comment: string;
      submit: string;
      history: string;
      none: string;
      by: (decision: string, name: string, when: string) => string;
    };
  };
  /** The management page of one exam, for its course's staff. */
  manage: {
    documentTitle: string;
    examTitle: (exam: string) => string;
    back: (course: string) => string;
    courseLine: (course: string) => string;
    facts: { window: string; duration: string };
    candidates: string;
    edit: string;
    window: {
      heading: string;
      draft: string;
      closed: string;
      closeNow: string;
      closing: string;
      closeTitle: (exam: string) => string;
      closeBody: string;
      closedNow: string;
      extendTo: string;
      extendHint: (closes: string) => string;
      notLater: string;
      extend: string;
      extending: string;
      extended: (closes: string) => string;
    };
    students: {
      heading: string;
      refresh: string;
      /** When the list was last read, and whether it follows by itself. */
      updated: (time: string, live: boolean) => string;
      caption: (count: number) => string;
      empty: string;
      selectAll: string;
      select: (name: string) => string;
      /** Label of the group of buttons that select every student of one section. */
      selectBySection: string;
      selectSection: (section: string, count: number) => string;
      section: string;
      selected: (count: number) => string;
      student: string;
      extraTime: string;
      attempt: string;
      receipt: string;
      noExtra: string;
      extra: (minutes: number, label: string) => string;
      state: { notStarted: string; inProgress: string; submitted: string };
      started: (when: string) => string;
      deadline: (when: string) => string;
      submittedBy: {
        student: (when: string) => string;
        deadline: (when: string) => string;
        unknown: (when: string) => string;
      };
      late: {
        accepted: (count: number) => string;
        pending: (count: number) => string;
        refused: (count: number) => string;
        applied: (count: number) => string;
      };
      lateNote: string;
      actions: string;
      moveAllowed: string;
      allowMove: string;
      allowMoveConfirm: (name: string) => { title: string; body: string; action: string };
      applyLate: string;
      applyLateConfirm: (name: string, count: number) => { title: string; body: string; action: string };
      receiptOf: (name: string) => string;
      receiptNumber: (number: number) => string;
      receiptHash: string;
      receiptSubmittedAt: string;
      receiptAttempt: string;
    };
    extra: {
      heading: string;
      intro: string;
      amount: string;
      preset: (percent: number, minutes: string) => string;
      presetLabel: (percent: number) => string;
      fixed: string;
      minutes: string;
      minutesHint: string;
      minutesInvalid: string;
      label: string;
      labelHint: string;
      labelTooLong: string;
      noneSelected: string;
      grant: string;
      granting: string;
      granted: (names: string, minutes: string, label: string) => string;
      remove: string;
      removeTitle: (count: number) => string;
      removeBody: string;
      removeConfirm: string;
      removed: (names: string) => string;
    };
  };
  dialog: { cancel: string };
  results: {
    heading: string;
    notReleased: string;
    nothingSubmitted: string;
    releasedAt: (when: string) => string;
    total: (points: number | null, max: number) => string;
    questionPoints: (points: number | null, max: number) => string;
    byHand: string;
    feedback: string;
    rubric: string;
    awarded: (points: number) => string;
    notAwarded: (points: number) => string;
    visibleTests: string;
    testLine: (position: number) => string;
    outcomes: { passed: string; failed: string; error: string; timed_out: string };
    notRun: string;
    expected: string;
    got: string;
    hidden: (passed: number, total: number) => string;
  };
  exam: {
    whyPrompt: string;
    /** An io test failed while the program gave input() these prompts. */
    promptPrinted: (prompts: string[]) => string;
    documentTitle: string;
    back: string;
    instructionsHeading: string;
    facts: { course: string; window: string; duration: string; questions: string };
    questionCount: (count: number) => string;
    fullscreenRequired: string;
    /** What the exam page records about the student, told before they start. */
    recorded: {
      heading: string;
      intro: string;
      items: string[];
      fullscreen: string;
      outro: string;
    };
    start: string;
    starting: string;
    continue: string;
    receipt: string;
    notOpen: string;
    closed: string;
    startedElsewhere: string;
    noSecret: string;
    questionsLabel: string;
    tabState: { untouched: string; edited: string };
    points: (points: number) => string;
    editorLabel: (title: string) => string;
    editorHint: string;
    /** Ctrl+Enter in the editor runs the code: said beside Run and as its description. */
    runShortcut: string;
    run: string;
    test: string;
    stop: string;
    outputHeading: string;
    outputEmpty: string;
    outputTruncated: string;
    running: string;
    runResult: { ok: (ms: number) => string; error: (ms: number) => string; interrupted: string; unavailable: string };
    noInput: string;
    inputHint: string;
    inputLabel: string;
    inputSend: string;
    inputEnd: string;
    testsHeading: string;
    noTests: string;
    testsRunning: string;
    testsSummary: (passed: number, total: number) => string;
    testName: (index: number) => string;
    testPassed: string;
    testFailed: string;
    expected: string;
    actual: string;
    error: string;
    testsStopped: string;
    saved: string;
    waiting: (count: number) => string;
    offline: string;
    offlineCopy: { noSpace: string; failed: string };
    announcements: {
      heading: string;
      fresh: string;
      byLine: (name: string, when: string) => string;
      read: string;
      wasRead: string;
      arrived: (body: string) => string;
    };
    timeLeft: (text: string) => string;
    timeOver: string;
    warning10: string;
    warning1: string;
    submit: string;
    submitting: string;
    confirmTitle: string;
    confirmBody: string;
    confirmAction: string;
    /** Each question's state and last visible tests, and unsaved changes, in the confirmation before submitting. */
    submitSummary: {
      heading: string;
      question: string;
      code: string;
      tests: string;
      edited: string;
      untouched: string;
      notStarted: (count: number) => string;
      testsNone: string;
      testsNotRun: string;
      testsPassed: (passed: number, total: number) => string;
      testsStopped: string;
      /** Appended when the code changed after the tests last ran. */
      testsStale: string;
      saved: string;
      unsaved: (count: number) => string;
    };
    notFlushed: string;
    fullscreenPrompt: string;
    enterFullscreen: string;
    receiptTitle: string;
    receiptHeading: string;
    receiptIntro: string;
    receiptSubmittedAt: string;
    receiptAttempt: string;
    receiptQuestion: string;
    receiptHash: string;
    receiptNote: string;
    receiptPending: string;
    continueHere: string;
    movedHere: string;
    moveCode: { intro: string; label: string; hint: string; submit: string; moving: string };
    moveCodeIssued: { heading: (name: string) => string; body: (until: string) => string; dismiss: string };
    noCopyOffline: string;
    saveEnded: {
      closed: string;
      otherDevice: string;
      quota: string;
      tooLarge: string;
      refused: string;
    };
    late: (accepted: number, pending: number, refused: number) => string;
    recovered: (count: number) => string;
    otherTab: string;
    takeOver: string;
    tabTaken: string;
    changeTooLarge: (limit: number) => string;
    receiptNumber: (number: number) => string;
    receiptReplaces: string;
    receiptDocumentHash: string;
    receiptSignature: string;
    receiptSignatureHint: string;
    /** Saving the receipt, with the code handed in, as a JSON file. */
    receiptDownload: {
      button: string;
      /** What the file holds: the code of every answer, of `included` of `total`, or of none. */
      holds: (included: number, total: number) => string;
      started: (fileName: string) => string;
    };
  };
}

/** The key of each readiness check, in the order the page lists them. */
export type CheckId = keyof Messages['readiness']['checks'];
