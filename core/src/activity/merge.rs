//! Merging analyzers that read different parts of the same logs (the CLI
//! reads a large file on every core): aggregates add up, first examples
//! keep the earliest, and line numbers of the later parts are shifted by the
//! lines the earlier parts read. The result equals one analyzer reading it all.

use super::analyze::{Analyzer, Day, Privilege, Ref, Span, UserState};

impl Span {
    /// Adds `other`'s count; keeps the earlier first example.
    fn absorb(&mut self, other: Span) {
        self.count = self.count.saturating_add(other.count);
        if other.first_ms < self.first_ms {
            self.first_ms = other.first_ms;
            self.example = other.example;
        }
        self.last_ms = self.last_ms.max(other.last_ms);
    }

    fn absorb_option(slot: &mut Option<Span>, other: Option<Span>) {
        match (slot.as_mut(), other) {
            (Some(span), Some(other)) => span.absorb(other),
            (None, other) => *slot = other,
            (Some(_), None) => {}
        }
    }
}

/// Shifts every reference of a later part by the lines before it.
struct Shift<'a>(&'a [u64]);

impl Shift<'_> {
    fn at(&self, r: Ref) -> Ref {
        Ref { source: r.source, line: r.line + self.0.get(r.source as usize).copied().unwrap_or(0) }
    }

    fn span(&self, mut span: Span) -> Span {
        span.example = self.at(span.example);
        span
    }

    fn option(&self, span: Option<Span>) -> Option<Span> {
        span.map(|s| self.span(s))
    }

    fn day(&self, mut day: Day) -> Day {
        day.all = self.option(day.all);
        day.exports = self.option(day.exports);
        day.sensitive = self.option(day.sensitive);
        day.outside = self.option(day.outside);
        for (_, r) in &mut day.hour_examples {
            *r = self.at(*r);
        }
        day
    }
}

impl Analyzer<'_> {
    /// Folds in `later`, an analyzer that read later parts of the same
    /// sources (registered in the same order); `lines_before[s]` is how many
    /// lines of source `s` came before its part.
    pub fn merge(&mut self, later: Analyzer<'_>, lines_before: &[u64]) {
        let shift = Shift(lines_before);
        let names: Vec<u32> = later.name_list.iter().map(|n| self.intern(n)).collect();
        let name = |id: u32| names.get(id as usize).copied().unwrap_or(id);
        self.events += later.events;
        self.span = match (self.span, later.span) {
            (Some((a, b)), Some((c, d))) => Some((a.min(c), b.max(d))),
            (a, b) => a.or(b),
        };
        for (day, tally) in later.timeline {
            let mine = self.timeline.entry(day).or_default();
            mine.events += tally.events;
            mine.denied += tally.denied;
        }
        for (object, tally) in later.objects {
            let mine = self.objects.entry(name(object)).or_default();
            mine.events += tally.events;
            mine.denied += tally.denied;
        }
        for mut problem in later.skipped {
            let source = later.sources.iter().position(|s| *s == problem.source).unwrap_or(0);
            problem.line += lines_before.get(source).copied().unwrap_or(0);
            self.skipped.push(problem);
        }
        self.skipped_count += later.skipped_count;
        for (id, theirs) in later.user_ids.iter().zip(later.states) {
            let u = self.user(id, theirs.first_ms);
            absorb_user(&mut self.states[u], theirs, &shift, &name);
        }
    }
}

fn absorb_user(mine: &mut UserState, theirs: UserState, shift: &Shift<'_>, name: &impl Fn(u32) -> u32) {
    mine.first_ms = mine.first_ms.min(theirs.first_ms);
    mine.tally.events += theirs.tally.events;
    mine.tally.denied += theirs.tally.denied;
    mine.days.absorb(
        theirs.days,
        |k| k,
        |d| shift.day(d),
        |a, b| {
            let b = shift.day(b);
            Span::absorb_option(&mut a.all, b.all);
            Span::absorb_option(&mut a.exports, b.exports);
            Span::absorb_option(&mut a.sensitive, b.sensitive);
            Span::absorb_option(&mut a.outside, b.outside);
            for (h, n) in b.hours.iter().enumerate() {
                a.hours[h] = a.hours[h].saturating_add(*n);
            }
            for (hour, r) in b.hour_examples {
                if !a.hour_examples.iter().any(|(x, _)| *x == hour) {
                    a.hour_examples.push((hour, r));
                }
            }
        },
    );
    mine.denials.absorb(theirs.denials, |k| k, |s| shift.span(s), |a, b| a.absorb(shift.span(b)));
    mine.ranges.absorb(theirs.ranges, |k| k, |s| shift.span(s), |a, b| a.absorb(shift.span(b)));
    let privilege = |p: Privilege| Privilege {
        bundle: p.bundle.map(name),
        days: {
            let mut days = super::keyed::Keyed::default();
            days.absorb(p.days, |k| k, |s| shift.span(s), |a: &mut Span, b| a.absorb(b));
            days
        },
    };
    mine.privileges.absorb(
        theirs.privileges,
        |(action, object)| (name(action), name(object)),
        privilege,
        |a, b| {
            let b = privilege(b);
            if b.bundle.is_some() {
                a.bundle = b.bundle;
            }
            a.days.absorb(b.days, |k| k, |s| s, |x, y| x.absorb(y));
        },
    );
}
