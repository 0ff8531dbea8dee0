import { accessReview, formatAccessReview } from '../admin/access-review.js'
import type { Services } from '../context.js'
import { defineJob } from '../define.js'
import { textsFor } from '../i18n/catalogue.js'

/**
 * Posts the access review to the admin conversations on `accessReview.schedule` (default weekly);
 * each run is audited (channel `cron`) with the names it flagged.
 * @example accessReviewJob(services).run(Date.now())
 */
export function accessReviewJob(s: Pick<Services, 'audit' | 'outbox' | 'config'>) {
  return defineJob({
    name: 'access-review',
    schedule: s.config.accessReview.schedule,
    run: (now) => {
      const review = accessReview(
        { audit: s.audit, operators: s.config.operators, inactiveDays: s.config.accessReview.inactiveDays },
        now,
      )
      const inactive = review.operators.filter((o) => o.inactive).map((o) => o.name)
      s.audit.transaction(() => {
        s.audit.append({
          actor: 'access-review',
          channel: 'cron',
          action: 'access-review',
          outcome: 'executed',
          args: { operators: review.operators.length, inactive, inactiveDays: review.inactiveDays },
        })
        s.outbox.add(formatAccessReview(review, now, textsFor(s.config.locale)).join('\n'), now)
      })
    },
  })
}
