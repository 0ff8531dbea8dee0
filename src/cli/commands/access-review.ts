import { accessReview, formatAccessReview } from '../../admin/access-review.js'
import { textsFor } from '../../i18n/catalogue.js'
import { CliFailure, EXIT, type CliCommand } from '../command.js'

/**
 * `access review`: the weekly access-review post, printed — each operator, their last activity in the
 * audit trail, and who is inactive past `accessReview.inactiveDays`.
 * @example routerctl access review
 */
export const accessReviewCommand: CliCommand = {
  name: 'access review',
  summary: 'each operator with their last activity; flags the inactive',
  positionals: [],
  flags: {},
  mutates: false,
  run({ io, session }) {
    const { config } = session
    if (!config)
      throw new CliFailure(
        'access review needs the operator list, and the bot configuration (ROUTER_CONFIG / ROUTER_OPERATORS) does not validate',
      )
    const review = accessReview(
      { audit: session.stores.audit, operators: config.operators, inactiveDays: config.accessReview.inactiveDays },
      io.now(),
    )
    for (const line of formatAccessReview(review, io.now(), textsFor('en'))) io.out(line)
    return EXIT.ok
  },
}
