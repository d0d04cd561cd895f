#include "offcard/terminal/scheduler.hpp"

#include <algorithm>
#include <optional>
#include <thread>

namespace sefleet::offcard::terminal {
namespace {

using Clock = std::chrono::steady_clock;

struct Entry {
  SeEndpoint* endpoint = nullptr;
  SeResult result;
  Clock::time_point due;
  bool waits_for_wave = false;
  bool done = false;
};

}  // namespace

std::vector<SeResult> serve(Agent& agent, const std::vector<SeEndpoint*>& endpoints, const ScheduleOptions& options) {
  const auto now = options.now ? options.now : [] { return Clock::now(); };
  const auto sleep =
      options.sleep ? options.sleep : [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  const Clock::time_point start = now();
  const Clock::time_point deadline = start + options.max_wait;

  std::vector<Entry> entries;
  entries.reserve(endpoints.size());
  for (SeEndpoint* endpoint : endpoints) entries.push_back(Entry{endpoint, SeResult{}, start, false, false});

  const auto end_entry = [&](Entry& entry) {
    entry.done = true;
    if (options.on_result) options.on_result(entry.result);
  };

  for (;;) {
    // The next SE to serve: the earliest due one (in the endpoints' order among equals).
    Entry* next = nullptr;
    for (auto& entry : entries) {
      if (!entry.done && (next == nullptr || entry.due < next->due)) next = &entry;
    }
    if (next == nullptr) break;
    const Clock::time_point t = now();
    if (next->due > t) {
      if (next->due > deadline) {
        // Nothing the run may still wait for: the held-back SEs end with why they were held back.
        for (auto& entry : entries) {
          if (entry.done) continue;
          agent.give_up(entry.result, std::chrono::duration_cast<std::chrono::seconds>(t - start));
          end_entry(entry);
        }
        break;
      }
      const auto delay = std::chrono::ceil<std::chrono::milliseconds>(next->due - t);
      if (options.on_sleep) {
        options.on_sleep(static_cast<std::size_t>(
                             std::count_if(entries.begin(), entries.end(), [](const Entry& e) { return !e.done; })),
                         delay);
      }
      sleep(delay);
      continue;
    }

    // The SE served after this one, if one is due already (a held-back one is not): its authorization
    // may ride on this one's report. An agent given its own AgentOptions::next_se keeps it.
    const Entry* current = next;
    const auto upcoming = [&]() -> SeEndpoint* {
      const Clock::time_point at = now();
      const Entry* found = nullptr;
      for (const auto& entry : entries) {
        if (entry.done || &entry == current || entry.due > at) continue;
        if (found == nullptr || entry.due < found->due) found = &entry;
      }
      return found == nullptr ? nullptr : found->endpoint;
    };
    const Step step = agent.options().next_se ? agent.step(*next->endpoint, next->result)
                                              : agent.step(*next->endpoint, next->result, upcoming);
    switch (step.next) {
      case Step::Next::done:
        end_entry(*next);
        // An SE that ended may have completed its wave: those waiting for theirs ask again now.
        for (auto& entry : entries) {
          if (!entry.done && entry.waits_for_wave) {
            entry.due = now();
            entry.waits_for_wave = false;
          }
        }
        break;
      case Step::Next::again:
        next->due = now();
        next->waits_for_wave = false;
        break;
      case Step::Next::wait:
        next->due = now() + step.wait;
        next->waits_for_wave = step.for_wave;
        if (options.on_held_back) options.on_held_back(next->result, step.wait);
        break;
    }
  }

  std::vector<SeResult> results;
  results.reserve(entries.size());
  for (auto& entry : entries) results.push_back(std::move(entry.result));
  return results;
}

}  // namespace sefleet::offcard::terminal
